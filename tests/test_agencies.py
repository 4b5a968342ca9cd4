"""The agencies extractor: aliases, titles, collective names, jurisdictions and the
contexts in which a named institution does not count as taking part."""
from __future__ import annotations

import random

import pytest

from extractors import build_nlp
from extractors.agencies import UNKNOWN


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(["timpora_agencies"])


def codes(nlp, text):
    doc = nlp(text)
    return {s.label_ for s in doc.spans["agencies"] if s.label_ != UNKNOWN}


def spans(nlp, text):
    doc = nlp(text)
    return [s for s in doc.spans["agencies"]]


@pytest.mark.parametrize("text,expected", [
    ("Rapat itu dihadiri Polresta Sikka dan Kodim 1603/Sikka.", {"POLRES", "KODIM"}),
    ("Operasi diikuti personel Polrestabes Medan.", {"POLRES"}),
    ("Hadir dalam rapat Kasat Intelkam bersama Kanit Intel dan seorang Bhabinkamtibmas.", {"POLRES", "POLSEK"}),
    ("Turut hadir Babinsa dan Danramil setempat.", {"KORAMIL"}),
    ("Rapat diikuti Disnakertrans, Dinas Ketenagakerjaan serta Disnakerkop.", {"DISNAKER"}),
    ("Peserta berasal dari Dinas Tenaga Kerja dan Transmigrasi Provinsi Riau.", {"DISNAKER"}),
    ("Perwakilan DPM-PTSP dan Dinas Penanaman Modal hadir.", {"DPMPTSP"}),
    ("Kepala Badan Kesatuan Bangsa dan Politik membuka acara.", {"KESBANGPOL"}),
    ("Rapat dibuka Kaban Bakesbangpoldagri.", {"KESBANGPOL"}),
    ("Hadir pula Kepala KUA dan Kakankemenag.", {"KEMENAG"}),
    ("Tim gabungan melibatkan KSOP, Lanal dan petugas Bea Cukai.", {"KSOP", "TNI_AL", "BEA_CUKAI"}),
    ("Operasi diikuti Lantamal VII dan Pangkalan TNI AU.", {"TNI_AL", "TNI_AU"}),
    ("Rapat dihadiri Korem 161/Wira Sakti dan Kodam IX/Udayana.", {"KOREM", "KODAM"}),
    ("Hadir Kajari, Kasi Intel Kejari dan perwakilan Cabjari.", {"KEJARI"}),
    ("Perwakilan Kejati dan Polda hadir.", {"KEJATI", "POLDA"}),
    ("Hadir Kabinda dan anggota Binda serta BAIS TNI.", {"BIN", "BAIS"}),
    ("Peserta rapat meliputi BNNP dan BNNK.", {"BNN"}),
    ("Satpol PP dan Dukcapil ikut dalam operasi.", {"SATPOL_PP", "DISDUKCAPIL"}),
    ("Dinkes, Dispar dan Dishub hadir sebagai peserta.", {"DINKES", "DISPAR", "DISHUB"}),
    ("Hadir Camat, Sekcam dan para Kades/Lurah.", {"KECAMATAN", "DESA"}),
    ("Operasi digelar bersama aparat Kelurahan Oebobo.", {"DESA"}),
    ("Hadir pula perwakilan Perum Perhutani.", {"OTHER"}),
    ("Rapat dibuka Kepala Kanim dan dihadiri Kakanwil.", {"KANIM", "KANWIL_IMIGRASI"}),
    ("Acara dibuka Kadiv Keimigrasian.", {"KANWIL_IMIGRASI"}),
    ("Direktur Pengawasan dan Penindakan Keimigrasian memimpin sidak.", {"DITJEN_IMIGRASI"}),
    ("Rapat dihadiri Kepala Rudenim.", {"RUDENIM"}),
    ("Bupati, Wakil Bupati, Sekda dan Asisten I hadir.", {"PEMDA"}),
    ("Acara dibuka Wakil Gubernur.", {"PEMPROV"}),
    ("Rapat dihadiri Basarnas dan BMKG.", {"OTHER"}),
    ("Operasi melibatkan Satgas Pamtas RI-RDTL.", {"SATGAS_PAMTAS"}),
    ("Hadir pula petugas Kantor Kesehatan Pelabuhan.", {"KARANTINA"}),
])
def test_alias_and_title(nlp, text, expected):
    assert codes(nlp, text) == expected


@pytest.mark.parametrize("text", [
    "Rapat dihadiri unsur TNI/Polri dan pemerintah daerah.",
    "Rapat dihadiri unsur TNI-Polri dan pemerintah daerah.",
])
def test_tni_polri_counts_both(nlp, text):
    assert codes(nlp, text) == {"TNI", "POLRI", "PEMDA"}


@pytest.mark.parametrize("text,expected", [
    ("Rapat dihadiri Forkopimda Kabupaten Sikka.", {"PEMDA", "POLRES", "KODIM", "KEJARI"}),
    ("Rapat dihadiri Forkopimda Provinsi Bali.", {"PEMPROV", "POLDA", "KODAM", "KEJATI"}),
    ("Rapat Timpora Tingkat Provinsi itu dihadiri Forkopimda.",
     {"KANWIL_IMIGRASI", "PEMPROV", "POLDA", "KODAM", "KEJATI"}),
    ("Rapat diikuti Forkopimcam Maumere.", {"KECAMATAN", "POLSEK", "KORAMIL"}),
    ("Rapat diikuti Muspika setempat.", {"KECAMATAN", "POLSEK", "KORAMIL"}),
    ("Hadir TNI, Polri dan unsur Forkopimda lainnya.", {"TNI", "POLRI"}),
])
def test_collective_names(nlp, text, expected):
    assert codes(nlp, text) == expected


@pytest.mark.parametrize("text,code,place", [
    ("Operasi diikuti Polres Mamasa.", "POLRES", "Mamasa"),
    ("Operasi diikuti Polres Muko-Muko.", "POLRES", "Muko-Muko"),
    ("Hadir pula Kodim 0423 Bengkulu Utara.", "KODIM", "Bengkulu Utara"),
    ("Hadir pula Kodim 1603/Sikka.", "KODIM", "Sikka"),
    ("Hadir Kesbangpol Kabupaten Lombok Timur.", "KESBANGPOL", "Kabupaten Lombok Timur"),
    ("Rapat digelar Kantor Imigrasi Kelas I TPI Mataram.", "KANIM", "Kota Mataram"),
])
def test_jurisdiction_is_the_named_region(nlp, text, code, place):
    regions = pytest.importorskip("extractors.regions")
    levels = ("kota",) if place.startswith("Kota ") else ("kabupaten", "kota")
    expected = regions.find_region(place, levels=levels)
    assert expected is not None
    found = [s for s in spans(nlp, text) if s.label_ == code]
    assert found and found[0].kb_id_ == expected.code


@pytest.mark.parametrize("text,expected", [
    # a ministry named with a region is its regional office
    ("Kemenkumham Jawa Tengah menggelar rapat yang dihadiri Polda.", {"KANWIL_IMIGRASI", "POLDA"}),
    ("Rapat dihadiri Kejaksaan Manggarai.", {"KEJARI"}),
    # class words make a Kanim of a garbled "Kantor Wilayah Imigrasi"
    ("Rapat digelar Kantor Wilayah Imigrasi Kelas II TPI Biak.", {"KANIM"}),
    # an official's title yields to the institution named after it
    ("Kepala Bidang Intelijen dan Penindakan Keimigrasian Kanwil Kemenkumham Riau hadir.",
     {"KANWIL_IMIGRASI"}),
    ("Rapat dihadiri sejumlah OPD di lingkungan Pemprov Riau.", {"PEMPROV"}),
    # a bare ministry is dropped when its regional unit is named, kept alone
    ("Rapat Kanwil Kemenkumham Bali dihadiri pejabat Kemenkumham.", {"KANWIL_IMIGRASI"}),
    ("Operasi gabungan dipimpin pejabat Kemenkumham.", {"DITJEN_IMIGRASI"}),
    ("Rapat bersama pihak pemkab dan provinsi digelar di hotel.", {"PEMDA", "PEMPROV"}),
    # a name in brackets right after another explains it
    ("Operasi diikuti Korem 142 Tatag (Perwira Penghubung Mamuju Tengah).", {"KOREM"}),
    ("Rapat dihadiri unsur Pemda (Kesbangpol, Disnaker).", {"PEMDA", "KESBANGPOL", "DISNAKER"}),
    # the parent written right after its unit is an address
    ("Kantor Imigrasi Atambua Kanwil Kemenkumham NTT menggelar rapat.", {"KANIM"}),
    ("Kantor Imigrasi Atambua dan Kanwil Kemenkumham NTT menggelar rapat.", {"KANIM", "KANWIL_IMIGRASI"}),
])
def test_code_from_context(nlp, text, expected):
    assert codes(nlp, text) == expected


@pytest.mark.parametrize("text,expected", [
    # quoted: only with a participation cue inside the quote
    ('"Kami terus bekerja bersama Polri," kata Kakanim.', {"KANIM"}),
    ("“Pengawasan ini tugas kita semua, termasuk Dinas Tenaga Kerja,” ujar Kakanim.", {"KANIM"}),
    ("“Operasi diikuti Polres Sikka dan Kodim 1603,” kata Kakanim.", {"POLRES", "KODIM", "KANIM"}),
    # examples and reported speech
    ("Ia menyebut instansi lain seperti Disnaker juga berwenang.", set()),
    ("Rapat dihadiri berbagai unsur seperti TNI dan Kejaksaan.", {"TNI", "KEJAKSAAN"}),
    ("Kakanim menegaskan bahwa Polri berwenang menyidik tindak pidana.", {"KANIM"}),
    ("Kakanim menjelaskan bahwa operasi itu melibatkan Polres Sikka.", {"KANIM", "POLRES"}),
    # hypotheticals and needs
    ("Pembentukan tim harus melibatkan camat, kapolsek dan lurah.", set()),
    ("Pengawasan perlu bekerja sama dengan Dinas Kesehatan.", set()),
    # places to report to, issuers, requests, territories
    ("Warga diminta segera melapor ke Polsek terdekat.", set()),
    ("Masyarakat dapat melaporkan orang asing kepada Kantor Imigrasi.", set()),
    ("SKTT yang dikeluarkan Disdukcapil sudah tidak berlaku.", set()),
    ("Operasi berdasarkan Surat Keputusan Direktur Jenderal Imigrasi.", set()),
    ("Kegiatan ini tindak lanjut arahan Direktorat Jenderal Imigrasi.", set()),
    ("Bupati juga meminta Dinas Ketenagakerjaan mendata perusahaan.", {"PEMDA"}),
    ("Ada 40 orang asing di wilayah kerja Kantor Imigrasi Kelas II Maumere.", set()),
    ("Ada 12 TKA pemegang Itas Kanim Ambon.", set()),
    # sites visited and places of custody
    ("Tim kemudian mendatangi Universitas Nusa Cendana.", set()),
    ("WNA itu dititipkan di Rudenim Kupang.", set()),
    ("Petugas menggelar apel di halaman Kantor Camat Oebobo.", set()),
    ("Warga dapat melapor ke kantor imigrasi atau melalui Bhabinkamtibmas.", set()),
    ("Masyarakat diimbau melapor ke Bhabinkamtibmas, Babinsa, atau langsung ke kantor imigrasi.", set()),
    ("Warga dapat melapor kepada Polsek setempat atau Koramil terdekat.", set()),
    # owners of data
    ("Pengelola diminta melapor agar data pemerintah daerah dan imigrasi selalu sinkron.", set()),
    # plans and wishes
    ("“Ke depan kami ingin menggandeng Dinas Pariwisata,” tuturnya.", set()),
    # a parent acting through its unit
    ("Direktorat Jenderal Imigrasi melalui Kantor Imigrasi Maumere menggelar rapat.", {"KANIM"}),
    # the setting of a duty
    ("Tugas dan fungsi di lingkungan Kantor Wilayah Kemenkumham Bali beragam.", set()),
])
def test_participation_context(nlp, text, expected):
    assert codes(nlp, text) == expected


@pytest.mark.parametrize("text", [
    "• Polres Sikka Amankan Pelaku Curanmor di Pasar",
    "Baca juga: Kodim 1603 Gelar Karya Bakti di Desa Nita",
    "(Satpol PP Kota Kupang Tertibkan Pedagang Kaki Lima)",
    "Pemkot Kupang\nSitus Resmi\nRapat itu dihadiri banyak pihak dari berbagai daerah di provinsi ini.",
])
def test_teaser_and_navigation_lines_do_not_count(nlp, text):
    assert codes(nlp, text) == set()


def test_short_lines_after_the_header_are_kept(nlp):
    text = ("Rapat Timpora digelar di aula hotel itu dan dihadiri sejumlah instansi berikut.\n"
            "Polres Sikka\nKodim 1603\nKejari Sikka")
    assert codes(nlp, text) == {"POLRES", "KODIM", "KEJARI"}


@pytest.mark.parametrize("text,unknown", [
    ("Rapat dihadiri Badan Urusan Sungai Nasional dan Polres Sikka.", "Badan Urusan Sungai Nasional"),
    ("Turut hadir perwakilan Dinas Perkebunan Lestari.", "Dinas Perkebunan Lestari"),
])
def test_unknown_organisation_is_kept_as_unknown(nlp, text, unknown):
    found = [s.text for s in spans(nlp, text) if s.label_ == UNKNOWN]
    assert found == [unknown]


@pytest.mark.parametrize("text", [
    "Tim memeriksa PT Maju Bersama di kawasan industri.",
    "Operasi menyasar Kantor PT Sinar Laut.",
    "Rapat digelar di Hotel Sapuri.",
])
def test_companies_and_venues_are_not_agencies(nlp, text):
    assert spans(nlp, text) == []


def test_case_sensitive_acronym_is_not_a_name_particle(nlp):
    assert codes(nlp, "Rapat dipimpin Ahmad bin Yusuf dari Kantor Imigrasi.") == {"KANIM"}
    assert codes(nlp, "Rapat dihadiri perwakilan BIN.") == {"BIN"}


def test_every_span_names_its_rule(nlp):
    found = spans(nlp, "Rapat dihadiri Forkopimda, Imigrasi Maumere dan Polres Sikka.")
    assert found and all(s.id_ for s in found)
    assert {s.id_ for s in found} >= {"expand:forkopimda", "kanim-imigrasi-name", "gaz:POLRES"}


@pytest.mark.parametrize("text", [
    "", " ", "\n\n", "“", '"', "(", "Polres", "Kantor Imigrasi Kelas",
    "Forkopimda", "TNI/Polri/", "Kodim 0423/", "•", "Baca juga:",
])
def test_odd_short_texts_never_raise(nlp, text):
    nlp(text)


def test_random_unicode_never_raises(nlp):
    rnd = random.Random(7)
    for n in (10, 500, 5000):
        nlp("".join(chr(rnd.randint(1, 0x2FFF)) for _ in range(n)))


def test_long_text_is_handled(nlp):
    text = "Rapat dihadiri Polres Sikka, “Kodim 1603 dan (Kanim) Maumere. \n" * 3000
    doc = nlp(text)
    assert len(doc.spans["agencies"]) >= 3000


def test_unknown_agency_becomes_a_flag():
    from pipeline.extract import extract

    rec = extract("Rapat dihadiri Polres Sikka dan Badan Urusan Sungai Nasional.", doc_id="t")
    assert [a.code for a in rec.agencies] == ["POLRES"]
    assert any(f.kind == "unknown_agency" for f in rec.flags)


@pytest.mark.parametrize("text,expected", [
    # a local government acting through its office hosts the activity itself
    ("Pemerintah Kabupaten Bangka melalui Badan Kesbangpol menggelar rapat Timpora.", {"PEMDA", "KESBANGPOL"}),
    ("Pemprov Kalimantan Barat melalui Disnakertrans menggelar rapat Timpora.", {"PEMPROV", "DISNAKER"}),
    # the national parent acting through its unit does not
    ("Direktorat Jenderal Imigrasi melalui Kantor Imigrasi Kelas I TPI Pontianak menggelar rapat Timpora.", {"KANIM"}),
])
def test_parent_acting_through_its_unit(nlp, text, expected):
    assert codes(nlp, text) == expected


@pytest.mark.parametrize("text,expected", [
    # what a participant says about other institutions is not their participation
    ("Sementara Dandim 1624/Flores Timur menyebut pihaknya akan mengerahkan Babinsa untuk deteksi dini.", {"KODIM"}),
    ("Kodim 1313/Pohuwato menyatakan siap mengerahkan Babinsa untuk membantu pendataan.", {"KODIM"}),
    ("Menurut Teguh, keberadaan Rumah Detensi Imigrasi Pekanbaru sangat membantu.", set()),
    # ... unless the statement itself reports who took part
    ("Kepala Divisi Keimigrasian M Diah mengatakan, mereka ditangkap pada operasi yang digelar enam Kantor "
     "Imigrasi di Jawa Tengah.", {"KANWIL_IMIGRASI", "KANIM"}),
])
def test_institutions_in_a_statement(nlp, text, expected):
    assert codes(nlp, text) == expected


@pytest.mark.parametrize("text", [
    "Peserta berasal dari kepala distrik dari Babo, Aranday dan Sumuri.",
    "Rapat juga dihadiri Kepala Distrik Sumuri.",
])
def test_papuan_district_heads_are_the_kecamatan(nlp, text):
    assert codes(nlp, text) == {"KECAMATAN"}


@pytest.mark.parametrize("text,expected", [
    # a unit's command written right after it is its address
    ("Tim terdiri dari Sat Polairud Polres Pelabuhan Belawan dan KSOP Utama Belawan.", {"POLAIRUD", "KSOP"}),
    # Jakarta's suku dinas are the city's dinas
    ("Hadir Sudin Pariwisata dan Kebudayaan serta Sudin Kependudukan dan Pencatatan Sipil.", {"DISPAR", "DISDUKCAPIL"}),
    ("Razia melibatkan Suku Dinas Tenaga Kerja, Transmigrasi dan Energi Jakarta Barat.", {"DISNAKER"}),
])
def test_units_and_jakarta_offices(nlp, text, expected):
    assert codes(nlp, text) == expected


@pytest.mark.parametrize("text", [
    "Program ini merupakan bagian dari gerakan nasional desa binaan imigrasi yang dicanangkan Direktorat Jenderal Imigrasi.",
    "Kegiatan ini merupakan bagian dari program prioritas Kementerian Imigrasi dan Pemasyarakatan.",
])
def test_the_author_of_a_programme_takes_no_part(nlp, text):
    assert codes(nlp, text) == set()
