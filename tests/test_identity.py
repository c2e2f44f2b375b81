import pytest

from warning.identity import make_id, normalise_id, split_id


@pytest.mark.parametrize(
    "spelling, expected",
    [
        ("US-20240123456-A1", "US-20240123456-A1"),  # already canonical
        ("US20240123456A1", "US-20240123456-A1"),  # compact
        ("US 2013/0101709 A1", "US-20130101709-A1"),  # Lens displayKey
        ("US_2013_0101709_A1", "US-20130101709-A1"),  # Lens publicationKey
        ("US2005004437A1", "US-20050004437-A1"),  # DOCDB pre-grant: YYYY + 6 digits
        ("US06970935B2", "US-6970935-B2"),  # USPTO XML grant, leading zero
        ("USD0654321S1", "US-D654321-S"),  # USPTO design grant
        ("US-D654321-S", "US-D654321-S"),
        ("US_RE49999_E", "US-RE49999-E"),
        ("EP 1 000 000 A1", "EP-1000000-A1"),
        ("EP4123456B1", "EP-4123456-B1"),
        ("WO_2008_155316_A1", "WO-2008155316-A1"),
        ("WO 2008/155316 A1", "WO-2008155316-A1"),
        ("WO/2005/12345", "WO-2005012345"),  # PATENTSCOPE, serial padded to six digits
        ("US20050286606", "US-20050286606"),  # PATENTSCOPE lists carry no kind code
        ("CN117000000A", "CN-117000000-A"),
        ("JP 2020-123456 A", "JP-2020123456-A"),
        ("WO_2009_085025_A3_20091029", "WO-2009085025-A3"),  # Lens key of a republication
        ("KR1020050012345*", "KR-1020050012345"),  # PATENTSCOPE marks some rows with '*'
        ("10300/DELNP/2012", "10300/DELNP/2012"),  # no office spelling: kept as given
    ],
)
def test_normalise_every_spelling(spelling, expected):
    assert normalise_id(spelling) == expected


def test_make_id_from_office_parts():
    assert make_id("US", "06970935", "B2") == "US-6970935-B2"
    assert make_id("US", "2005004437", "A1") == "US-20050004437-A1"
    assert make_id("US", "20050004437", "A1") == "US-20050004437-A1"
    assert make_id("EP", "1000000", "A1") == "EP-1000000-A1"
    assert make_id("US", "PP021234", "P3") == "US-PP21234-P3"
    assert make_id("ep", "EP1000000", "a1") == "EP-1000000-A1"


def test_split_id():
    assert split_id("EP-1000000-B1") == ("EP", "1000000", "B1")
    assert split_id("US-20050286606") == ("US", "20050286606", "")
