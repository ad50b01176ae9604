import gzip

import pytest

from rnagraph.io import InputError, read_fasta, read_sequence_table


def test_read_fasta_normalises_and_multiline(write):
    p = write("a.fa", ">m1 MIMAT1 Homo sapiens\nacgt\nTTAA\n\n>m2\nGGCU\n")
    assert read_fasta(p) == {"m1": "ACGUUUAA", "m2": "GGCU"}


def test_read_fasta_crlf(tmp_path):
    p = tmp_path / "crlf.fa"
    p.write_bytes(b">a\r\nACGT\r\n>b\r\nGG\r\n")
    assert read_fasta(p) == {"a": "ACGU", "b": "GG"}


def test_read_fasta_gzip(tmp_path):
    p = tmp_path / "a.fa.gz"
    with gzip.open(p, "wt") as fh:
        fh.write(">x\nacgu\n")
    assert read_fasta(p) == {"x": "ACGU"}
    # gzip is detected by content, not by the name
    q = tmp_path / "noext"
    q.write_bytes(p.read_bytes())
    assert read_fasta(q) == {"x": "ACGU"}


def test_iupac_codes_become_n_or_error(write):
    p = write("a.fa", ">x\nACRYN\n")
    assert read_fasta(p) == {"x": "ACNNN"}
    with pytest.raises(InputError, match=r"a\.fa, line 2: letters outside .*'R', 'Y'"):
        read_fasta(p, iupac="error")


@pytest.mark.parametrize("text, line, what", [
    ("", None, "empty file"),
    ("\n\n", None, "empty file"),
    ("ACGU\n>x\nAC\n", 1, "sequence before any '>' header"),
    (">x\n>y\nAC\n", 1, "empty record 'x'"),
    (">x\nAC\n>y\n", 3, "empty record 'y'"),
    (">x\nAC\n>x\nGG\n", 3, r"duplicate id 'x' \(first seen on line 1\)"),
    (">x\nACXGU\n", 2, "letters outside ACGU/T/N in sequence: 'X'"),
    (">x\nAC-GU\n", 2, "letters outside ACGU/T/N in sequence: '-'"),
    (">\nAC\n", 1, "empty header"),
])
def test_fasta_errors_name_file_and_line(write, text, line, what):
    p = write("bad.fa", text)
    where = "bad.fa" + (f", line {line}" if line else "")
    with pytest.raises(InputError, match=f"{where}: {what}") as exc:
        read_fasta(p)
    assert isinstance(exc.value, ValueError)
    assert exc.value.line == line


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="nope.fa: file not found"):
        read_fasta(tmp_path / "nope.fa")


def test_sequence_table(write):
    p = write("mi.csv", "hsa-miR-1,uggaauguaaagaaguaugua\nhsa-miR-2,ACGT\n")
    assert read_sequence_table(p) == {"hsa-miR-1": "UGGAAUGUAAAGAAGUAUGUA", "hsa-miR-2": "ACGU"}
    t = write("mi.tsv", "id\tseq\nx\tAC\n")
    assert read_sequence_table(t, header=True) == {"x": "AC"}
    d = write("dup.csv", "x,AC\ny,GG\nx,CC\n")
    with pytest.raises(InputError, match=r"dup\.csv, line 3: duplicate id 'x'"):
        read_sequence_table(d)
    e = write("short.csv", "x,AC\ny\n")
    with pytest.raises(InputError, match=r"short\.csv, line 2: expected at least 2 columns"):
        read_sequence_table(e)
