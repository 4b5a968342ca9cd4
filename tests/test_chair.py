"""Chair: who led or opened the activity, name without honorifics, role as written."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.chair import clean_name, find


def chair_of(text):
    found = find(text)
    if found is None:
        return None, None
    name = clean_name(text[found.name[0]:found.name[1]]) if found.name else None
    role = text[found.role[0]:found.role[1]] if found.role else None
    return name, role


@pytest.mark.parametrize("text,name,role", [
    # dipimpin oleh NAME selaku ROLE
    ("Rapat koordinasi itu dipimpin oleh Bapak Rudi Hartono selaku Sekretaris Daerah Kabupaten Alor didampingi pejabat lain.",
     "Rudi Hartono", "Sekretaris Daerah Kabupaten Alor"),
    # dibuka secara resmi oleh ROLE, NAME, ...
    ("Kegiatan dibuka secara resmi oleh Wakil Bupati Sikka, Drs. Yosef Wolo, M.Si., dan diikuti 40 peserta.",
     "Yosef Wolo", "Wakil Bupati Sikka"),
    # dibuka oleh NAME, ROLE.
    ("Pertemuan dibuka oleh Maria Goreti, Kepala Badan Kesbangpol Kota Kupang.",
     "Maria Goreti", "Kepala Badan Kesbangpol Kota Kupang"),
    # dipimpin ROLE NAME dan ...
    ("Operasi dipimpin langsung Kepala Seksi Inteldakim Bambang Sutejo dan melibatkan unsur TNI.",
     "Bambang Sutejo", "Kepala Seksi Inteldakim"),
    # ROLE, NAME, saat membuka rapat
    ("Hal itu disampaikan Kepala Kantor Imigrasi Ende, Yohanes Bata saat membuka rapat TIMPORA di aula kantor.",
     "Yohanes Bata", "Kepala Kantor Imigrasi Ende"),
    # X yang diwakili Y
    ("Acara dibuka secara resmi oleh Bupati Flores Timur yang diwakili Asisten I, Petrus Kelen, pada pukul 09.00.",
     "Petrus Kelen", "Asisten I"),
    # dilepas oleh NAME selaku ROLE (operation send-off)
    ("Sebelum berangkat, tim gabungan dilepas oleh Hendra Wijaya selaku Kepala Divisi Keimigrasian.",
     "Hendra Wijaya", "Kepala Divisi Keimigrasian"),
    # selaku Ketua Panitia
    ("Siti Aminah, Kepala Subseksi Intelijen, selaku Ketua Panitia melaporkan jumlah peserta.",
     "Siti Aminah", "Kepala Subseksi Intelijen"),
    # a comma inside the role
    ("Rapat dibuka oleh Staf Ahli Wali Kota Bidang Perekonomian, Pembangunan dan Keuangan, Ir. Budi Santoso, M.T., "
     "pada pukul 09.00.", "Budi Santoso", "Staf Ahli Wali Kota Bidang Perekonomian, Pembangunan dan Keuangan"),
    # an abbreviated role in the headline is no name; the name follows in the body
    ("Wagub Kalteng Pimpin Rapat Timpora Provinsi\n\nRapat itu dipimpin oleh Wakil Gubernur Kalimantan Tengah, "
     "Sutrisno Hadi. Hadir unsur Forkopimda.", "Sutrisno Hadi", "Wakil Gubernur Kalimantan Tengah"),
    # Penjabat (Pj) starts a role
    ("Rakor dibuka secara resmi oleh Penjabat (Pj) Wali Kota Tual, Hasan Basri, dan diikuti 50 peserta.",
     "Hasan Basri", "Penjabat (Pj) Wali Kota Tual"),
])
def test_chair_cues(text, name, role):
    assert chair_of(text) == (name, role)


def test_leading_beats_opening():
    text = ("Rapat dibuka oleh Camat Oebobo, Agus Salim. Selanjutnya rapat dipimpin oleh "
            "Kepala Seksi Intelijen, Dedi Kurniawan.")
    assert chair_of(text)[0] == "Dedi Kurniawan"


def test_first_team_leader_for_operations():
    text = ("Tim I dipimpin oleh Kepala Bidang Inteldakim Rahmat Hidayat dan tim II dipimpin oleh "
            "Kasi Inteldakim Yusuf Lubis.")
    assert chair_of(text)[0] == "Rahmat Hidayat"


@pytest.mark.parametrize("text", [
    "Dalam sambutannya, Kepala Kantor Imigrasi Maumere, Andi Saputra, menekankan pentingnya koordinasi.",
    "Diskusi dipandu oleh moderator Kepala Seksi Tikim, Lukas Beda.",
    "Bertindak sebagai narasumber, Kepala Bidang Perizinan, Rina Marlina, memaparkan data orang asing.",
    "“Rapat ini dipimpin oleh kami sendiri setiap tahun,” ujar Joko Susanto.",
    "Asisten II, Markus Lena, membacakan sambutan Bupati sekaligus membuka rapat tersebut.",
    "Kepala Kantor Imigrasi Kupang memberikan arahan kepada anggota tim.",
])
def test_not_a_chair(text):
    assert chair_of(text)[0] is None


def test_role_only_gives_no_name():
    name, role = chair_of("Rapat dibuka oleh Kepala Dinas Tenaga Kerja dan dihadiri unsur TNI.")
    assert name is None and role.startswith("Kepala Dinas Tenaga Kerja")


def test_role_holder_found_elsewhere():
    text = ("Gubernur Maluku Utara Budi Santoso meminta semua pihak waspada. "
            "\"Kita harus bersinergi,\" kata Gubernur sekaligus membuka secara resmi rapat TIMPORA.")
    name, role = chair_of(text)
    assert role == "Gubernur" and "Budi Santoso" in name


@pytest.mark.parametrize("raw,clean", [
    ("dr. Hosiani In Rantau", "Hosiani In Rantau"),
    ("AKBP Drs. H. Ahmad, S.H., M.Si.", "Ahmad"),
    ("Bapak Novizar Eka Putra", "Novizar Eka Putra"),
    ("Hj. Siti Rahma, S.Sos., M.AP", "Siti Rahma"),
    ("Kompol Ir. Budi Darmawan, S.IP., M.M.", "Budi Darmawan"),
    ("Letkol Inf Yudi Prasetyo", "Yudi Prasetyo"),
    ("Moh. Muldani", "Moh. Muldani"),
    ("Prof. Dr. Andi Malik, Ph.D", "Andi Malik"),
])
def test_honorifics_stripped(raw, clean):
    assert clean_name(raw) == clean


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_never_raises(text):
    chair_of(text)


@pytest.mark.parametrize("text,name,role", [
    # "dibuka ROLE, NAME" without "oleh"
    ("Rapat Timpora Kabupaten Nunukan resmi dibuka Sekretaris Daerah Kabupaten Nunukan, Serfianus, S.IP., M.Si., "
     "di Lantai IV Kantor Bupati.", "Serfianus", "Sekretaris Daerah Kabupaten Nunukan"),
    ("Kegiatan dibuka secara resmi Wakil Bupati Sikka, Romanus Woga, pada pukul 09.00.",
     "Romanus Woga", "Wakil Bupati Sikka"),
])
def test_opened_without_oleh(text, name, role):
    assert chair_of(text) == (name, role)


@pytest.mark.parametrize("text", [
    "Rapat dibuka Pukul 09.00 WITA dan berakhir siang hari.",
    "Pendaftaran dibuka Senin pagi bagi seluruh peserta.",
])
def test_opened_at_a_time_names_no_chair(text):
    assert chair_of(text) == (None, None)


@pytest.mark.parametrize("text,name,role", [
    ("Pengukuhan yang digelar di Pendopo Kecamatan Ngebel itu dilakukan langsung oleh Kepala Kantor Imigrasi "
     "Kelas II Madiun, Drs. Bambang Widodo Santoso, M.Si. Anggota tim terdiri atas camat.",
     "Bambang Widodo Santoso", "Kepala Kantor Imigrasi Kelas II Madiun"),
    ("Pembentukan Timpora Kecamatan Kuta dilaksanakan secara resmi oleh Camat Kuta, Made Sudana, pada pagi hari.",
     "Made Sudana", "Camat Kuta"),
])
def test_inauguration_done_by(text, name, role):
    assert chair_of(text) == (name, role)


def test_a_headline_verb_does_not_take_the_dateline_as_a_name():
    text = ("40 Anggota Timpora Desa se-Kecamatan Ubud Dikukuhkan\n\nGIANYAR - Anggota Timpora resmi dikukuhkan. "
            "Pengukuhan dilakukan oleh Bupati Gianyar, I Made Mahayastra, di Balai Desa.")
    assert chair_of(text) == ("I Made Mahayastra", "Bupati Gianyar")


def test_send_off_without_oleh():
    text = ("Tim dilepas Kepala Kantor Imigrasi Kelas III Sumbawa Besar, Drs. I Made Suarnata, M.H., "
            "dari halaman Mapolres Sumbawa Barat.")
    assert chair_of(text) == ("I Made Suarnata", "Kepala Kantor Imigrasi Kelas III Sumbawa Besar")


def test_sea_captain_title_is_stripped():
    text = "Tim dilepas oleh Kepala KSOP Kelas III Tanjungwangi, Capt. Agus Salim Harahap, M.Mar. Selain itu hadir Lanal."
    assert chair_of(text) == ("Agus Salim Harahap", "Kepala KSOP Kelas III Tanjungwangi")


@pytest.mark.parametrize("text,name,role", [
    # a rank after the regional title opens the name
    ("Kapolres Manggarai Barat AKBP Ari Satmoko, S.H., S.I.K., M.H. memimpin apel gabungan sebelum operasi.",
     "Ari Satmoko", "Kapolres Manggarai Barat"),
    ("Operasi dipimpin Dandim 1624/Flores Timur Letkol Inf Joko Susilo dan melibatkan Polres.",
     "Joko Susilo", "Dandim 1624/Flores Timur"),
    # "sebagai pimpinan rapat"
    ("Bertindak sebagai pimpinan rapat, Kepala Bidang Intelijen dan Penindakan Keimigrasian Kanwil Kemenkumham Riau, "
     "Hadi Prasetyo, menyampaikan arahan.", "Hadi Prasetyo",
     "Kepala Bidang Intelijen dan Penindakan Keimigrasian Kanwil Kemenkumham Riau"),
])
def test_ranks_and_leader_phrasings(text, name, role):
    assert chair_of(text) == (name, role)


@pytest.mark.parametrize("text,name,role", [
    ("Kegiatan pengawasan tersebut dikomandoi Kepala Seksi Inteldakim Kantor Imigrasi Belawan, Ridwan Hasibuan. "
     "Turut naik ke kapal personel Lantamal.", "Ridwan Hasibuan", "Kepala Seksi Inteldakim Kantor Imigrasi Belawan"),
    ("Pelepasan tim dilakukan di halaman kantor imigrasi oleh Kepala Kantor Imigrasi Jakarta Barat, Bayu Aji "
     "Pamungkas.", "Bayu Aji Pamungkas", "Kepala Kantor Imigrasi Jakarta Barat"),
    ("Asisten Pemerintahan Setda Gunung Mas, Yantrini Nyahu, S.Sos., membuka FGD tersebut mewakili Bupati.",
     "Yantrini Nyahu", "Asisten Pemerintahan Setda Gunung Mas"),
    ("Kepala Kantor Imigrasi Kelas III Sumbawa Besar, Yusuf Kurniawan Gultom, bertindak selaku ketua Timpora "
     "memimpin rapat tersebut.", "Yusuf Kurniawan Gultom", "Kepala Kantor Imigrasi Kelas III Sumbawa Besar"),
])
def test_leading_and_opening_round5(text, name, role):
    assert chair_of(text) == (name, role)


def test_present_and_formally_opening():
    text = ("Wakil Bupati Pangkep, Abdul Rahman Assagaf, hadir dan secara resmi membuka kegiatan tersebut. "
            "Ia mengapresiasi langkah imigrasi.")
    assert chair_of(text) == ("Abdul Rahman Assagaf", "Wakil Bupati Pangkep")


@pytest.mark.parametrize("text,name,role", [
    # the leader written before "bertindak sebagai pimpinan rapat"
    ("Camat Simanindo, Parulian Sidabutar, S.STP., M.Si., bertindak sebagai pimpinan rapat sekaligus ketua tim.",
     "Parulian Sidabutar", "Camat Simanindo"),
    ("Kepala Seksi Inteldakim, Rudi Hartono, selaku pemimpin rapat menyampaikan tiga agenda.",
     "Rudi Hartono", "Kepala Seksi Inteldakim"),
    # a role after "masing-masing" / "kepada" names a group or a recipient, not the one who leads
    ("Kepala Kantor Imigrasi Sukabumi, Yudi Hermawan, mengukuhkan anggota tim, ditandai penyematan tanda anggota "
     "kepada masing-masing Camat selaku Ketua Tim.", "Yudi Hermawan", "Kepala Kantor Imigrasi Sukabumi"),
    # a word of the office's place inside the leader's name
    ("Tim dilepas oleh Kepala Kantor Imigrasi Kelas I Khusus TPI Ngurah Rai, I Gusti Ngurah Wiranata, yang "
     "meminta petugas tetap humanis.", "I Gusti Ngurah Wiranata", "Kepala Kantor Imigrasi Kelas I Khusus TPI Ngurah Rai"),
    # an office leading in a headline is no person
    ("Kanim Merauke Pimpin Rapat TIMPORA\n\nRapat dipimpin langsung oleh Kepala Kantor Imigrasi Kelas II TPI Merauke, "
     "Yosef Rumbewas, S.H.", "Yosef Rumbewas", "Kepala Kantor Imigrasi Kelas II TPI Merauke"),
    ("Polda Riau Pimpin Operasi Gabungan\n\nOperasi dipimpin Kasubdit Intelkam, AKBP Rudi Hartono.",
     "Rudi Hartono", "Kasubdit Intelkam"),
])
def test_leader_before_the_cue_and_groups_that_lead_nothing(text, name, role):
    assert chair_of(text) == (name, role)

