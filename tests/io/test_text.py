"""open_text and normalize_sequence on text that is not what it seems."""
import pytest

from rnagraph.io import InputError, read_fasta, read_pairs, read_sequence_table


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_named(tmp_path, encoding):
    p = tmp_path / "p.csv"
    p.write_bytes("circ_1,miR-1\ncirc_2,miR-2\n".encode(encoding))
    with pytest.raises(InputError) as exc:
        read_pairs(p)
    assert exc.value.one_line() == (f"{p}: UTF-16 text; save the file as UTF-8 (plain text, "
                                    "e.g. `iconv -f UTF-16 -t UTF-8`)")


def test_a_nul_byte_past_64_kb_is_refused_with_its_line(tmp_path):
    p = tmp_path / "p.csv"
    rows = "".join(f"circ_{i},miR-{i % 7}\n" for i in range(6000))   # > 64 KB
    assert len(rows) > 65536
    p.write_bytes(rows.encode() + b"circ_x\x00y,miR-1\n")
    with pytest.raises(InputError) as exc:
        read_pairs(p)
    assert exc.value.one_line() == (f"{p}:6001: a NUL byte (binary data) in the text; remove it "
                                    "or fix the file")


@pytest.mark.parametrize("word", ["nan", "NA", "None", "NULL", "n/a"])
def test_missing_value_spellings_are_not_sequences(tmp_path, word):
    t = tmp_path / "s.csv"
    t.write_text(f"miR-1,ACGU\nmiR-2,{word}\n")
    with pytest.raises(InputError) as exc:
        read_sequence_table(t)
    assert exc.value.one_line() == (f"{t}:2: sequence {word!r} is a missing value, not a "
                                    "sequence; remove the record (RNAs without a sequence are "
                                    "kept as nodes from the pair file)")
    f = tmp_path / "s.fa"
    f.write_text(f">miR-1\nACGU\n>miR-2\n{word}\n")
    with pytest.raises(InputError, match=rf"line 4: sequence '{word}' is a missing value"):
        read_fasta(f)


def test_a_wrapped_sequence_may_end_in_na(tmp_path):
    f = tmp_path / "s.fa"
    f.write_text(">c1\nACGUACGUAC\nNA\n")
    assert read_fasta(f) == {"c1": "ACGUACGUACNA"}
