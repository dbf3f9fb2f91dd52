"""Problems and warnings found in the input, each with file, row and column, in Chinese and English."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class InputProblem:
    """One problem (or warning) in the input.

    ``row`` is the spreadsheet row a person sees (header = 1, first data row = 2); ``None`` means
    the whole file. ``column`` is the header as written in the file (or the contract's name of a
    missing column); ``None`` means the whole row or file.
    """

    file: str
    row: int | None
    column: str | None
    zh: str
    en: str

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def format(self, lang: str = "zh") -> str:
        """``file:row:column: message``, leaving out the parts that are missing."""
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        if self.column:
            where += f":{self.column}"
        return f"{where}: {self.message(lang)}"


class InputError(Exception):
    """The input cannot be read into a problem; ``problems`` lists every problem found."""

    def __init__(
        self, problems: Iterable[InputProblem], warnings: Iterable[InputProblem] = ()
    ) -> None:
        self.problems = tuple(problems)
        self.warnings = tuple(warnings)
        super().__init__(self.format())

    def format(self, lang: str = "zh") -> str:
        return "\n".join(p.format(lang) for p in self.problems)


@dataclass
class Findings:
    """Collects problems and warnings while the input is read."""

    problems: list[InputProblem] = field(default_factory=list)
    warnings: list[InputProblem] = field(default_factory=list)

    def problem(self, file: str, row: int | None, column: str | None, zh: str, en: str) -> None:
        self.problems.append(InputProblem(file, row, column, zh, en))

    def warning(self, file: str, row: int | None, column: str | None, zh: str, en: str) -> None:
        self.warnings.append(InputProblem(file, row, column, zh, en))


def summarise(found: Iterable[InputProblem], keep: int) -> list[InputProblem]:
    """``found`` with each message repeated more than ``keep`` times cut to its first ``keep``
    and one line that counts the rest (a zip of 100,000 stray files gives a few lines, not 10 MB)."""
    items = list(found)
    counts: dict[tuple[str, str], int] = {}
    for p in items:
        counts[(p.zh, p.en)] = counts.get((p.zh, p.en), 0) + 1
    shown: dict[tuple[str, str], int] = {}
    out: list[InputProblem] = []
    for p in items:
        key = (p.zh, p.en)
        shown[key] = shown.get(key, 0) + 1
        if shown[key] <= keep:
            out.append(p)
        elif shown[key] == keep + 1:
            rest = counts[key] - keep
            out.append(InputProblem(
                f"{p.file} …", None, None,
                f"另有 {rest} 处相同的情况（此处起）：{p.zh}", f"and {rest} more like this (from here on): {p.en}",
            ))  # fmt: skip
    return out
