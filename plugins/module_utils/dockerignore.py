# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""``.dockerignore`` files, read and matched exactly as Docker (BuildKit) does.

A faithful port of moby's ``patternmatcher`` (``ignorefile.ReadAll`` + ``New`` + ``MatchesOrParentMatches``):

* one pattern a line; a line starting with ``#`` is a comment; surrounding blanks are trimmed; empty lines are skipped;
* ``!pattern`` is an exception: it re-includes what an earlier pattern excluded; the last matching pattern wins;
* a pattern is cleaned like Go's ``filepath.Clean`` and a leading ``/`` is dropped (paths are relative to the context);
* ``*`` is any run of characters but ``/``, ``?`` one character but ``/``, ``[...]`` a character class, ``\\`` escapes
  the next character, ``**`` any number of directories (including none);
* a pattern that matches a directory matches everything below it.
"""

from __future__ import annotations

import posixpath
import re

_EXACT, _PREFIX, _SUFFIX, _REGEXP = "exact", "prefix", "suffix", "regexp"
# Characters that mean something in a regular expression but not in a filepath.Match pattern (moby's shouldEscape).
_ESCAPED = frozenset(".+()|{}$")


class DockerIgnoreError(ValueError):
    """A pattern Docker would reject (its build fails with the same complaint)."""


def go_clean(path: str) -> str:
    """Go's filepath.Clean on a slash-separated path."""
    cleaned = posixpath.normpath(path) if path else "."
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


def read_patterns(text: str) -> list[str]:
    """The patterns of an ignore file, as moby's ignorefile.ReadAll returns them."""
    patterns = []
    for number, line in enumerate(text.splitlines()):
        if number == 0:
            line = line.lstrip("\ufeff")
        if line.startswith("#"):
            continue
        pattern = line.strip()
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = go_clean(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        patterns.append("!" + pattern if invert else pattern)
    return patterns


def _check_syntax(pattern: str) -> None:
    """What Go's filepath.Match(pattern, ".") reports as ErrBadPattern: an unfinished escape or character class."""
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            if index + 1 >= len(pattern):
                raise DockerIgnoreError(f"syntax error in pattern {pattern!r}: trailing backslash")
            index += 2
            continue
        if char == "[":
            end = index + 1
            if end < len(pattern) and pattern[end] == "^":
                end += 1
            start = end
            while end < len(pattern) and (pattern[end] != "]" or end == start):
                end += 2 if pattern[end] == "\\" else 1
            if end >= len(pattern):
                raise DockerIgnoreError(f"syntax error in pattern {pattern!r}: unterminated character class")
            index = end
        index += 1


class Pattern:
    """One cleaned pattern, compiled the way moby's Pattern.compile does."""

    def __init__(self, text: str, exclusion: bool):
        self.text = text
        self.exclusion = exclusion
        self.kind, self.regexp = self._compile(text)

    @staticmethod
    def _compile(pattern: str):
        regex = "^"
        kind = _EXACT
        index = 0
        position = 0
        while index < len(pattern):
            char = pattern[index]
            index += 1
            if char == "*":
                if index < len(pattern) and pattern[index] == "*":
                    index += 1
                    if index < len(pattern) and pattern[index] == "/":
                        index += 1
                    if index >= len(pattern):
                        if kind == _EXACT:
                            kind = _PREFIX
                        else:
                            regex += ".*"
                            kind = _REGEXP
                    else:
                        regex += "(.*/)?"
                        kind = _REGEXP
                    if position == 0:
                        kind = _SUFFIX
                else:
                    regex += "[^/]*"
                    kind = _REGEXP
            elif char == "?":
                regex += "[^/]"
                kind = _REGEXP
            elif char in _ESCAPED:
                regex += "\\" + char
            elif char == "\\":
                if index < len(pattern):
                    regex += "\\" + pattern[index]
                    index += 1
                    kind = _REGEXP
                else:
                    regex += "\\\\"
            elif char in "[]":
                regex += char
                kind = _REGEXP
            else:
                regex += char
            position += 1
        if kind != _REGEXP:
            return kind, None
        try:
            return kind, re.compile(regex + r"\Z", re.DOTALL)  # Go's $: the end of the text
        except re.error as e:
            raise DockerIgnoreError(f"syntax error in pattern {pattern!r}: {e}") from e

    def match(self, path: str) -> bool:
        if self.kind == _EXACT:
            return path == self.text
        if self.kind == _PREFIX:
            return path.startswith(self.text[:-2])
        if self.kind == _SUFFIX:
            suffix = self.text[2:]
            return path.endswith(suffix) or (suffix[:1] == "/" and path == suffix[1:])
        return self.regexp.match(path) is not None


class DockerIgnore:
    """The patterns of one ignore file; ``excluded(path)`` says whether Docker leaves ``path`` out of the context."""

    def __init__(self, patterns: list[str]):
        self.patterns = []
        for raw in patterns:
            text = raw.strip()
            if not text:
                continue
            text = go_clean(text)
            exclusion = text.startswith("!")
            if exclusion:
                if len(text) == 1:
                    raise DockerIgnoreError('illegal exclusion pattern: "!"')
                text = text[1:]
            _check_syntax(text)
            self.patterns.append(Pattern(text, exclusion))
        self.has_exceptions = any(pattern.exclusion for pattern in self.patterns)

    @classmethod
    def from_text(cls, text: str) -> "DockerIgnore":
        return cls(read_patterns(text))

    def excluded(self, path: str) -> bool:
        """Whether the slash-separated context-relative ``path`` is left out (MatchesOrParentMatches)."""
        path = go_clean(path)
        if path == ".":
            return False
        parent = posixpath.dirname(path) or "."
        parents = parent.split("/")
        matched = False
        for pattern in self.patterns:
            if pattern.exclusion != matched:
                continue
            hit = pattern.match(path)
            if not hit and parent != ".":
                hit = any(pattern.match("/".join(parents[:depth + 1])) for depth in range(len(parents)))
            if hit:
                matched = not pattern.exclusion
        return matched
