"""sites: the places an operation inspected, as written after a visit cue."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import build_nlp


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(["timpora_sites", "timpora_findings", "timpora_foreigners", "timpora_violations"])


def sites(nlp, text):
    doc = nlp(text)
    return [s.label_ for s in doc.spans["sites"]]


@pytest.mark.parametrize("text,expected", [
    ("Tim operasi gabungan mendatangi PT Sumber Makmur Abadi di Kecamatan Ciruas.", ["PT Sumber Makmur Abadi"]),
    ("Operasi tersebut menyasar PT. Bintang Samudra yang terletak di kawasan pelabuhan.", ["PT. Bintang Samudra"]),
    ("Petugas melakukan sidak ke Hotel Melati Indah, Selasa (4/6).", ["Hotel Melati Indah"]),
    ("Operasi gabungan digelar di Pelabuhan Tenau pada pagi hari.", ["Pelabuhan Tenau"]),
    ("Usai apel, tim operasi langsung menuju ke Apartemen Green Bay Pluit.", ["Apartemen Green Bay Pluit"]),
    ("Lokasi pertama yang dikunjungi yakni Villa Puri Sari di Ubud.", ["Villa Puri Sari di Ubud"]),
    ("Dalam operasi itu, petugas menyisir Pantai Kuta, Pantai Legian dan Pantai Seminyak.",
     ["Pantai Kuta", "Pantai Legian", "Pantai Seminyak"]),
])
def test_named_sites_after_a_cue(nlp, text, expected):
    assert sites(nlp, text) == expected


@pytest.mark.parametrize("text,expected", [
    # ", termasuk X" adds X to the list of sites visited
    ("Tim gabungan menyasar PT Teluk Nikel serta PT Morowali Baja, termasuk mes pekerja asing di Desa Bahodopi.",
     ["PT Teluk Nikel", "PT Morowali Baja", "mes pekerja asing di Desa Bahodopi"]),
    ("Petugas mendatangi Hotel Sinar Pagi, termasuk Restoran Laut Biru di sebelahnya.",
     ["Hotel Sinar Pagi", "Restoran Laut Biru"]),
])
def test_sites_added_with_termasuk(nlp, text, expected):
    assert sites(nlp, text) == expected


@pytest.mark.parametrize("text,expected", [
    # a company's office is a site, an agency's office is not
    ("Operasi gabungan digelar Selasa. Tim juga menyambangi kantor PT Weda Bay Smelter Service di Desa Lelilef.",
     ["kantor PT Weda Bay Smelter Service"]),
    ("Sidak digelar Rabu. Petugas mendatangi kantor CV Sinar Laut di kawasan pelabuhan.", ["kantor CV Sinar Laut"]),
    ("Operasi gabungan digelar Selasa. Sebelum berangkat, tim mendatangi kantor Imigrasi Kelas I Kupang.", []),
])
def test_a_company_office_is_a_site(nlp, text, expected):
    assert sites(nlp, text) == expected


@pytest.mark.parametrize("text,expected", [
    # the place a site lies in, continued after a comma, is no site of its own
    ("Operasi digelar Selasa. Sasaran pertama adalah Vila Sunari di Jalan Pantai Batu Mejan, Canggu. Di lokasi itu "
     "petugas memeriksa tiga WNA.", ["Vila Sunari"]),
    ("Operasi digelar Selasa. Tim kemudian bergerak ke sebuah rumah kos di Banjar Tegal Gundul, Desa Tibubeneng. "
     "Di sana petugas mendapati dua WNA.", ["sebuah rumah kos di Banjar Tegal Gundul, Desa Tibubeneng"]),
    # a site named after the comma is one
    ("Operasi digelar Selasa. Tim mendatangi Vila Asri di Jalan Raya Ubud, Vila Damai dan Hotel Sari.",
     ["Vila Asri", "Vila Damai", "Hotel Sari"]),
])
def test_a_place_continuing_a_site_location_is_no_site(nlp, text, expected):
    assert sites(nlp, text) == expected




def test_generic_sites_listed_after_a_vague_plural(nlp):
    text = "Dalam operasi itu petugas menyisir sejumlah lokasi, seperti tempat hiburan, rumah kos, hingga penginapan."
    assert sites(nlp, text) == ["tempat hiburan", "rumah kos", "penginapan"]


def test_vague_plural_alone_is_not_a_site(nlp):
    assert sites(nlp, "Tim operasi mendatangi beberapa perusahaan yang mempekerjakan TKA.") == []


def test_target_list_in_the_next_sentence(nlp):
    text = ("Ada dua perusahaan yang menjadi sasaran operasi gabungan. Yakni PT Cahaya Timur dan "
            "PT Karya Baru Sentosa.")
    assert sites(nlp, text) == ["PT Cahaya Timur", "PT Karya Baru Sentosa"]


def test_same_site_mentioned_twice_is_one_site(nlp):
    text = ("Operasi menyasar PT Hutan Lestari Jaya. Setelah itu tim kembali mendatangi PT Hutan Lestari "
            "untuk pemeriksaan dokumen.")
    assert sites(nlp, text) == ["PT Hutan Lestari Jaya"]


@pytest.mark.parametrize("text", [
    # a region is a place, not a site
    "Tim Pengawasan Orang Asing menggelar operasi gabungan di Kota Kupang.",
    "Operasi gabungan dilaksanakan di Kabupaten Mamasa selama dua hari.",
    # the team's own office
    "Sebelum operasi, tim berkumpul lalu menuju Kantor Imigrasi Kelas I Kupang.",
])
def test_not_sites(nlp, text):
    assert sites(nlp, text) == []


def test_meeting_without_operation_has_no_sites(nlp):
    text = ("Rapat Tim Pengawasan Orang Asing digelar di Hotel Santika. Peserta rapat juga membahas "
            "keberadaan TKA di PT Semen Indonesia.")
    assert sites(nlp, text) == []


def test_kota_named_resort_qualified_by_its_region_is_a_site(nlp):
    text = "Petugas melakukan sidak di Kota Bunga, Kabupaten Cianjur dan Puncak, Kabupaten Bogor."
    assert sites(nlp, text) == ["Kota Bunga", "Puncak"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_never_raises(nlp, text):
    doc = nlp("Operasi menyasar " + text)
    assert all(s.label_ for s in doc.spans["sites"])


# --- round 2: phrasings beyond the visit cues ------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("Razia gabungan digelar Kamis. Di Hotel Cempaka Biru, petugas menemukan dua WNA asal India.",
     ["Hotel Cempaka Biru"]),
    ("Operasi gabungan berjalan lancar. Sementara di Vila Lembah Hijau terdapat empat WNA asal Swiss.",
     ["Vila Lembah Hijau"]),
    ("Sidak berlangsung sore. Adapun di PT Gunung Mas Perkasa, tim mendapati tujuh TKA.",
     ["PT Gunung Mas Perkasa"]),
])
def test_place_opening_a_finding_sentence_is_a_site(nlp, text, expected):
    assert sites(nlp, text) == expected


@pytest.mark.parametrize("text", [
    # a town where the team meets, a region, or a place without a finding
    "Operasi gabungan digelar Kamis. Di Kabupaten Sumba Barat, petugas menemukan dua WNA.",
    "Operasi gabungan digelar Kamis. Di Balai Desa Sukamaju, tim berkumpul untuk apel.",
])
def test_place_opening_a_sentence_without_a_finding_is_not_a_site(nlp, text):
    assert sites(nlp, text) == []


def test_counted_generic_is_followed_by_its_list(nlp):
    text = "Tim operasi mendatangi tiga lokasi, yakni PT Alam Jaya, Hotel Kenari dan Restoran Laut Biru."
    assert sites(nlp, text) == ["PT Alam Jaya", "Hotel Kenari", "Restoran Laut Biru"]


@pytest.mark.parametrize("text,expected", [
    ("Operasi gabungan dimulai pagi, lalu pemeriksaan berlanjut ke PT Samudra Biru Lestari.",
     ["PT Samudra Biru Lestari"]),
    ("Usai razia di darat, tim naik ke kapal ikan yang bersandar di Pelabuhan Perikanan Bitung.",
     ["kapal ikan yang bersandar di Pelabuhan Perikanan Bitung"]),
    ("Dalam operasi itu tim mendatangi sebuah warung di Desa Tanjung Sari.",
     ["sebuah warung di Desa Tanjung Sari"]),
    ("Patroli menyisir Pantai Pasir Putih dan sejumlah homestay di Dusun Batu Lima.",
     ["Pantai Pasir Putih", "sejumlah homestay di Dusun Batu Lima"]),
])
def test_generic_site_placed_by_a_name_keeps_the_place(nlp, text, expected):
    assert sites(nlp, text) == expected


def test_bare_category_is_dropped_when_named_sites_exist(nlp):
    text = ("Operasi gabungan menyasar penginapan dan perusahaan. Tim mendatangi Hotel Anggrek Indah "
            "dan PT Karya Baja Utama, pabrik baja di pinggir kota.")
    assert sites(nlp, text) == ["Hotel Anggrek Indah", "PT Karya Baja Utama"]


def test_bare_category_stays_when_no_site_is_named(nlp):
    assert sites(nlp, "Operasi gabungan menyasar penginapan di pinggir pantai.") == ["penginapan"]


def test_industrial_estate_gives_way_to_its_companies(nlp):
    text = ("Operasi gabungan digelar di Kawasan Industri Maju Bersama. Tim mendatangi PT Sinar Plastik "
            "dan PT Tekstil Abadi.")
    assert sites(nlp, text) == ["PT Sinar Plastik", "PT Tekstil Abadi"]


@pytest.mark.parametrize("text", [
    "Operasi gabungan digelar di Kecamatan Wates, Kabupaten Kulon Progo, Senin, 4 Maret 2024.",
    "Operasi gabungan digelar di Kecamatan Wates, 12 WNA Terjaring",
    "Dari hasil pemeriksaan di dua lokasi itu, tidak ditemukan pelanggaran.",
    "Dalam operasi kemarin, kepala kantor mengatakan pulau itu kerap dikunjungi kapal pesiar asing.",
    "Setelah operasi, rombongan didatangi, WNA tersebut menunjukkan paspor.",
])
def test_dates_counts_and_habits_are_not_sites(nlp, text):
    assert sites(nlp, text) == []


def test_title_names_the_site_only_when_the_body_lists_none(nlp):
    title = "Timpora Gelar Operasi Gabungan di Pelabuhan Rakyat Paotere\n"
    assert sites(nlp, title + "Operasi gabungan dilaksanakan Rabu pagi dan berjalan lancar.") == \
        ["Pelabuhan Rakyat Paotere"]
    assert sites(nlp, title + "Operasi gabungan dilaksanakan Rabu. Tim mendatangi Hotel Nusantara Baru.") == \
        ["Hotel Nusantara Baru"]


# ----------------------------------------------------------------- round 3: general phrasings

@pytest.mark.parametrize("text,expected", [
    # a site's location, then the list goes on
    ("Sasaran operasi antara lain Hotel Kenanga di Kecamatan Kota Baru, Wisma Melati dan PT Laut Biru.",
     ["Hotel Kenanga", "Wisma Melati", "PT Laut Biru"]),
    # a counted place followed by its list: the list
    ("Tim melakukan sidak ke tiga pabrik di Kawasan Industri Maju, yakni PT Alfa Logam dan PT Beta Kimia.",
     ["PT Alfa Logam", "PT Beta Kimia"]),
    # "di sekitar ... di <Name>" places a vague plural
    ("Operasi gabungan menyasar beberapa rumah kos di sekitar kampus di Tamalate.",
     ["beberapa rumah kos di sekitar kampus di Tamalate"]),
    ("Usai razia, tim singgah di dermaga Teluk Indah untuk memeriksa kapal.", ["dermaga Teluk Indah"]),
    ("Dalam operasi itu, tim memeriksa Guesthouse Kembang Sari dan Hostel Pelangi.",
     ["Guesthouse Kembang Sari", "Hostel Pelangi"]),
    # an apposition describes the site before it
    ("Tim melanjutkan patroli ke Pasar Sentral, sebuah pusat perbelanjaan yang ramai.", ["Pasar Sentral"]),
])
def test_round3_site_lists(nlp, text, expected):
    assert sites(nlp, text) == expected


def test_swept_area_is_not_a_site_beside_named_places(nlp):
    text = ("Tim menggelar patroli gabungan di Kawasan Wisata Pantai Indah. Tim kemudian mendatangi "
            "Hotel Samudra dan Villa Karang.")
    assert sites(nlp, text) == ["Hotel Samudra", "Villa Karang"]


def test_listed_area_beside_named_places_stays(nlp):
    text = "Operasi gabungan menyasar Hotel Samudra, Kawasan Pecinan dan Apartemen Laguna."
    assert sites(nlp, text) == ["Hotel Samudra", "Kawasan Pecinan", "Apartemen Laguna"]


def test_planned_operation_names_no_site(nlp):
    text = "Operasi gabungan sudah digelar bulan lalu. Rapat menyepakati jadwal operasi ke perusahaan tambang."
    assert sites(nlp, text) == []


@pytest.mark.parametrize("text,expected", [
    ("Tim gabungan melakukan operasi. Pengawasan dilakukan di Pelabuhan Kuala Enok dan Pelabuhan Sungai Guntung.",
     ["Pelabuhan Kuala Enok", "Pelabuhan Sungai Guntung"]),
    ("Operasi gabungan digelar Kamis. Pemeriksaan dokumen dilaksanakan di Hotel Sahid Jaya.", ["Hotel Sahid Jaya"]),
])
def test_supervision_held_at_names_the_site(nlp, text, expected):
    assert sites(nlp, text) == expected


def test_a_country_reached_by_ship_is_not_a_site(nlp):
    text = ("Operasi gabungan digelar di Pelabuhan Dumai. Petugas memeriksa penumpang kapal yang "
            "bergerak menuju Malaysia.")
    assert sites(nlp, text) == ["Pelabuhan Dumai"]


@pytest.mark.parametrize("text,expected", [
    ("Operasi gabungan digelar. Sasaran operasi adalah vila dan penginapan di kawasan Tanjung Lesung, di antaranya "
     "Villa Kalicaa dan Tanjung Lesung Beach Hotel. Petugas mendapati empat orang asing.",
     ["Villa Kalicaa", "Tanjung Lesung Beach Hotel"]),
    ("Operasi gabungan digelar. Tim naik ke dua kapal yang sedang bersandar, yaitu MV Ocean Glory dan MT Sea Pearl.",
     ["MV Ocean Glory", "MT Sea Pearl"]),
])
def test_categories_give_way_to_their_named_instances(nlp, text, expected):
    assert sites(nlp, text) == expected


def test_a_participating_institution_is_no_site():
    nlp = build_nlp(["timpora_agencies", "timpora_sites", "timpora_findings"])
    text = ("Tim gabungan menyambangi dua kapal ikan di PPS Belawan. Bersama petugas imigrasi turut naik ke kapal "
            "personel Lantamal I Belawan, KSOP Utama Belawan dan Bea Cukai Belawan. Di kapal petugas mendata "
            "sembilan ABK asal Myanmar.")
    doc = nlp(text)
    assert not any(word in s.label_ for s in doc.spans["sites"] for word in ("Lantamal", "KSOP", "Bea Cukai"))


@pytest.mark.parametrize("text,expected", [
    ("Operasi gabungan digelar. Tim mendatangi lokasi pembangunan pabrik baja ringan milik PT Hua Sheng Steel "
     "Indonesia di Balaraja.", ["PT Hua Sheng Steel Indonesia"]),
    ("Operasi gabungan digelar. Keesokan harinya tim turun ke area proyek smelter milik PT Amman Mineral Industri.",
     ["PT Amman Mineral Industri"]),
])
def test_the_owner_names_the_site(nlp, text, expected):
    assert [s.split(" di ")[0] for s in sites(nlp, text)] == expected


@pytest.mark.parametrize("text,expected", [
    # counted categories and "those two" beside the named sites describe them
    ("Operasi gabungan digelar di dua pabrik di Kawasan Industri Jababeka. Di PT Hanwoo Precision Indonesia petugas "
     "memeriksa 19 TKA. Di PT Sinar Jaya Foam Industri tim memeriksa delapan TKA.",
     ["PT Hanwoo Precision Indonesia", "PT Sinar Jaya Foam Industri"]),
    # a manager of a hotel "yang didatangi" is no site
    ("Pengawasan menyasar Hotel Gran Senyiur dan Hotel Tjokro Plaza. Salah satu manajer hotel yang didatangi, "
     "Linda Rahmawati, mengaku pihaknya sudah melapor.", ["Hotel Gran Senyiur", "Hotel Tjokro Plaza"]),
    # a place discussed or proposed is no site
    ("Operasi gabungan digelar di Pelabuhan Dwikora. Pihaknya juga mengusulkan pertemuan lanjutan khusus membahas "
     "pengawasan di kawasan pelabuhan rakyat.", ["Pelabuhan Dwikora"]),
])
def test_round6_sites(nlp, text, expected):
    assert sites(nlp, text) == expected
