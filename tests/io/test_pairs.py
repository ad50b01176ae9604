import gzip
import warnings

import pytest

from rnagraph.io import InputError, read_id_list, read_interaction_matrix, read_pairs
from rnagraph.io.pairs import read_pair_table


def test_pairs_columns_header_and_spaces(write):
    p = write("p.csv", "miRNA, gene\nm1, g1\nm2, g2\n")
    assert read_pairs(p, header=True) == [("m1", "g1"), ("m2", "g2")]
    assert read_pairs(p, header=True, columns=(1, 0)) == [("g1", "m1"), ("g2", "m2")]


def test_pairs_tsv_gzip_crlf(tmp_path):
    p = tmp_path / "p.tsv.gz"
    with gzip.open(p, "wb") as fh:
        fh.write(b"a\tb\r\nc\td\r\n")
    assert read_pairs(p) == [("a", "b"), ("c", "d")]


def test_duplicate_pairs_dropped_with_count(write):
    p = write("p.csv", "a,b\nc,d\na,b\na,b\n")
    with pytest.warns(UserWarning, match="dropped 2 duplicate pair"):
        assert read_pairs(p) == [("a", "b"), ("c", "d")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # kept: no warning
        assert read_pairs(p, keep_duplicates=True) == [("a", "b"), ("c", "d"), ("a", "b"),
                                                       ("a", "b")]


def test_wrong_column_count(write):
    p = write("p.csv", "a,b\nc,d,e\n")
    with pytest.raises(InputError, match=r"p\.csv, line 2: wrong column count: 3 columns"):
        read_pairs(p)
    q = write("q.csv", "a\nb\n")
    with pytest.raises(InputError, match=r"q\.csv, line 1: expected at least 2 columns"):
        read_pairs(q)


def test_empty_file(write):
    with pytest.raises(InputError, match=r"e\.csv: empty file"):
        read_pairs(write("e.csv", "  \n"))


def test_unknown_ids_listed(write):
    p = write("p.csv", "m1,c1\nm9,c1\nm1,c7\n")
    with pytest.raises(InputError, match=r"p\.csv, line 2: 2 pair ids have no sequence: "
                                         r"'m9' \(line 2\), 'c7' \(line 3\)"):
        read_pairs(p, src_known={"m1"}, dst_known={"c1"})


def test_label_column(write):
    p = write("p.tsv", "a\tx\t1\nb\ty\t0\nc\tz\t1\n")
    assert read_pairs(p, label_col=2) == [("a", "x"), ("c", "z")]
    q = write("q.tsv", "a\tx\tmaybe\n")
    with pytest.raises(InputError, match=r"q\.tsv, line 1: label 'maybe' in column 3 is not 0 "
                                         r"or 1 \(1 = interaction, 0 = known non-interaction\)"):
        read_pairs(q, label_col=2)


def test_interaction_matrix(write):
    m = write("m.txt", "0 1 0\n1 0 1\n")
    rows = write("rows.txt", "r1\nr2\n")
    cols = write("cols.csv", "0,c1\n1,c2\n2,c3\n")
    assert read_interaction_matrix(m, rows, cols) == [("r1", "c2"), ("r2", "c1"), ("r2", "c3")]
    bad = write("bad.txt", "0 1 0\n1 2 1\n")
    with pytest.raises(InputError, match=r"bad\.txt, line 2: value '2' in column 2"):
        read_interaction_matrix(bad, rows, cols)
    short = write("short.txt", "0 1 0\n1 0\n")
    with pytest.raises(InputError, match=r"short\.txt, line 2: wrong column count: 2 values"):
        read_interaction_matrix(short, rows, cols)
    few = write("few.txt", "0 1 0\n")
    with pytest.raises(InputError, match=r"few\.txt: 1 matrix rows but 2 row ids"):
        read_interaction_matrix(few, rows, cols)
    with pytest.raises(InputError, match=r"dup\.txt, line 2: duplicate id 'r1'"):
        read_id_list(write("dup.txt", "r1\nr1\n"))


def test_a_third_column_is_a_label(write):
    p = write("p.csv", "a,x,1\nb,y,0\nc,z,1.0\nd,w,0.0\n")
    t = read_pair_table(p)
    assert t.label_col == 2
    assert t.positives == [("a", "x"), ("c", "z")]
    assert t.negatives == [("b", "y"), ("d", "w")]
    assert t.lines == {("a", "x"): 1, ("b", "y"): 2, ("c", "z"): 3, ("d", "w"): 4}
    assert read_pairs(p) == [("a", "x"), ("c", "z")]       # a 0 never becomes a known pair
    assert read_pair_table(p, label_col=None).negatives == []


def test_a_header_naming_label(write):
    p = write("p.tsv", "label\tmiRNA\tgene\n0\tm1\tg1\n1\tm2\tg2\n")
    with pytest.warns(UserWarning, match="read as a header row"):
        t = read_pair_table(p, columns=(1, 2))
    assert (t.label_col, t.positives, t.negatives) == (0, [("m2", "g2")], [("m1", "g1")])


@pytest.mark.parametrize("value", ["2", "-1", "yes", "NaN", ""])
def test_other_labels_are_refused_naming_file_and_line(write, value):
    p = write("p.csv", f"a,x,1\nb,y,{value}\n")
    with pytest.raises(InputError) as exc:
        read_pairs(p)
    assert exc.value.one_line() == (f"{p}:2: label {value!r} in column 3 is not 0 or 1 "
                                    "(1 = interaction, 0 = known non-interaction)")


def test_conflicting_labels_name_both_lines(write):
    p = write("p.csv", "a,x,1\nb,y,1\na,x,0\n")
    with pytest.raises(InputError) as exc:
        read_pairs(p)
    assert exc.value.one_line() == (f"{p}:3: pair ('a', 'x') is labelled 1 on line 1 and 0 on "
                                    "line 3; keep one of the two rows")


def test_self_pair_refused(write):
    p = write("p.csv", "a,x\nq,q\n")
    with pytest.raises(InputError, match=r"line 2: self-pair: 'q' in both columns"):
        read_pairs(p)


@pytest.mark.parametrize("head", ["circ_id,mir_id", "circRNA_name,miRNA_name", "src,dst",
                                  "miRNA ID,Target Gene"])
def test_headers_recognised_by_their_names(write, head):
    p = write("p.csv", f"{head}\nc1,m1\n")
    with pytest.warns(UserWarning, match="read as a header row"):
        assert read_pairs(p) == [("c1", "m1")]


def test_a_trailing_tab_keeps_a_csv_a_csv(write):
    p = write("p.csv", "c1,m1\t\nc2,m2\n")
    assert read_pairs(p) == [("c1", "m1"), ("c2", "m2")]


def test_a_header_and_nothing_else(write):
    p = write("p.csv", "circRNA,miRNA,label\n")
    with pytest.warns(UserWarning, match="header row"):
        with pytest.raises(InputError) as exc:
            read_pairs(p)
    assert exc.value.one_line() == f"{p}: no pairs: the file holds only a header row"


def test_comment_lines_are_skipped(write):
    p = write("p.csv", "# pairs from my screen\nc1,m1\n  # a note\nc2,m2\n")
    t = read_pair_table(p)
    assert t.positives == [("c1", "m1"), ("c2", "m2")]
    assert t.lines == {("c1", "m1"): 2, ("c2", "m2"): 4}
