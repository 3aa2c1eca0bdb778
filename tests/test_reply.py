"""Reading a model's reply: the whole reply, a fenced block, or a braced span in prose."""

from __future__ import annotations

import pytest

from agents._reply import Reply, ReplyError, parse_reply


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ('{"action": "answer", "questions": [], "answer": "5"}', Reply(answer="5")),
        (
            '  {"action": "ask", "questions": ["2 + 2", " "], "answer": ""}\n',
            Reply(questions=["2 + 2"]),
        ),
        ('Here:\n```json\n{"answer": 42}\n```\nand {"answer": 1}', Reply(answer="42", data=42)),
        ('I think {"ask": "what is 2 + 2"} then {"answer": 1}', Reply(questions=["what is 2 + 2"])),
        ('so {"answer": "a } b {"} it is', Reply(answer="a } b {")),
        ('{"final_answer": [1, 2]}', Reply(answer="[1, 2]", data=[1, 2])),
    ],
)
def test_a_reply_is_read_from_the_first_place_that_parses(text: str, reply: Reply) -> None:
    assert parse_reply(text) == reply


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Let me think about this step by step.", "expected one JSON object"),
        ('{"action": "ask", "questions": []}', '"questions" holds no question'),
        ('{"action": "maybe", "answer": "1"}', '"action" must be "ask" or "answer"'),
    ],
)
def test_an_unusable_reply_says_why(text: str, problem: str) -> None:
    with pytest.raises(ReplyError, match=problem):
        parse_reply(text)
