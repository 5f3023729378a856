""".dockerignore reading and matching, case by case against Docker's documented behaviour (moby/patternmatcher)."""

from __future__ import annotations

import pytest

from ansible_collections.shipyard.aws.plugins.module_utils.dockerignore import DockerIgnore, DockerIgnoreError, read_patterns


def excluded(patterns: str, path: str) -> bool:
    return DockerIgnore.from_text(patterns).excluded(path)


def test_reading_skips_comments_and_blanks_trims_and_cleans():
    text = "\ufeff# comment\n\n  *.log  \n! keep.log\n/abs/path\n./a/../b/\n # not a comment\n"
    assert read_patterns(text) == ["*.log", "!keep.log", "abs/path", "b", "# not a comment"]


@pytest.mark.parametrize("patterns, path, expected", [
    # Docker's documentation examples
    ("*/temp*", "somedir/temporary.txt", True),
    ("*/temp*", "somedir/temp", True),
    ("*/temp*", "temp.txt", False),
    ("*/temp*", "a/b/temp.txt", False),
    ("*/*/temp*", "somedir/subdir/temporary.txt", True),
    ("temp?", "tempa", True),
    ("temp?", "temp", False),
    ("temp?", "tempab", False),
    ("**/*.go", "main.go", True),
    ("**/*.go", "cmd/server/main.go", True),
    ("*.md\n!README*.md", "README-x.md", False),
    ("*.md\n!README*.md", "CHANGES.md", True),
    ("*.md\n!README*.md\nREADME-secret.md", "README-secret.md", True),
    ("*.md\n!README*.md\nREADME-secret.md", "README-ok.md", False),
    ("*.md\nREADME-secret.md\n!README*.md", "README-secret.md", False),
    # a pattern that matches a directory matches everything below it
    ("node_modules", "node_modules/left-pad/index.js", True),
    ("node_modules", "src/node_modules/x.js", False),
    ("**/node_modules", "src/node_modules/x.js", True),
    ("dir\n!dir/keep.txt", "dir/keep.txt", False),
    ("dir\n!dir/keep.txt", "dir/other.txt", True),
    # a leading slash is the context root; trailing slashes go
    ("/build/", "build/out.bin", True),
    ("build/**", "build/a/b", True),
    ("build/**", "build", False),
    # Docker's suffix match: a leading ** not followed by a slash matches any ending
    ("**foo", "barfoo", True),
    ("**", "anything/at/all", True),
    # character classes and escapes
    ("[ab].txt", "a.txt", True),
    ("[ab].txt", "c.txt", False),
    ("[^ab].txt", "c.txt", True),
    ("\\*.txt", "*.txt", True),
    ("\\*.txt", "x.txt", False),
    # regexp metacharacters are literal
    ("a+b(1).txt", "a+b(1).txt", True),
    ("a.txt", "abtxt", False),
    ("file$", "file$", True),
])
def test_matching(patterns, path, expected):
    assert excluded(patterns, path) is expected


def test_the_context_root_is_never_excluded():
    assert excluded("*", ".") is False
    assert excluded("*", "anything") is True


def test_exceptions_are_reported():
    assert DockerIgnore.from_text("*.log").has_exceptions is False
    assert DockerIgnore.from_text("*.log\n!keep.log").has_exceptions is True


@pytest.mark.parametrize("text", ["!", "[abc", "abc\\"])
def test_patterns_docker_rejects(text):
    with pytest.raises(DockerIgnoreError):
        DockerIgnore(text.splitlines())
