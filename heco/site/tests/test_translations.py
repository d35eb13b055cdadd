"""The interface catalogs (heco/locale) are complete for lt, it, sl, mt and nl.

* every entry of each catalog is translated, not fuzzy, with the right number of plural forms
  and the same placeholders as the English text;
* the compiled .mo files match the .po files (so a fresh machine needs no gettext tools);
* every string that ``makemessages`` would extract from the public templates and the public
  Python modules (found here with Django's own template-to-gettext conversion) is already in
  each catalog with a translation, so a string added without running ``make messages`` fails.

No gettext tools and no polib are needed: the .po reader below is small and the .mo files are
read with the standard library.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation.template import templatize

HECO = Path(__file__).resolve().parents[2]
LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
LANGS = ["lt", "it", "sl", "mt", "nl"]
NPLURALS = {"lt": 3, "it": 2, "sl": 4, "mt": 4, "nl": 2}

# Templates and Python modules behind the pages (and emails) a visitor sees; a missing path is
# skipped.
PUBLIC_TEMPLATE_DIRS = [
    "site/templates",
    "systems/templates",
    "feeds/templates",
    "newsletters/templates",
]
PUBLIC_PYTHON = [
    "site/forms.py",
    "site/views",
    "site/templatetags",
    "systems/forms.py",
    "systems/views.py",
    "systems/templatetags",
    "feeds/views.py",
    "feeds/syndication.py",
    "newsletters/forms.py",
    "newsletters/views.py",
    "newsletters/services.py",
    "settings.py",
]
GETTEXT_ARGS = {  # function name -> (context, singular, plural) argument positions
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
PLACEHOLDER = re.compile(r"%%|%(?:\([A-Za-z_]\w*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{[A-Za-z_]\w*\}")


# --- reading catalogs --------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str]:
        return self.msgctxt, self.msgid

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values()) and "fuzzy" not in self.flags


def _unquote(text: str) -> str:
    return ast.literal_eval(text.strip())


def read_po(path: Path) -> dict[tuple[str | None, str], Entry]:
    """The live (not obsolete) entries of a .po file, header excluded."""
    entries: dict[tuple[str | None, str], Entry] = {}
    entry, target = Entry(), None

    def flush():
        nonlocal entry, target
        if target is not None and entry.msgid:
            entries[entry.key] = entry
        entry, target = Entry(), None

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.rstrip()
        if not line:
            flush()
        elif line.startswith("#~"):
            continue  # obsolete
        elif line.startswith("#,"):
            if target is not None:
                flush()
            entry.flags |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#:"):
            if target is not None:
                flush()
            entry.references += [ref.rsplit(":", 1)[0] for ref in line[2:].split()]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = _unquote(line)
            if target == "msgctxt":
                entry.msgctxt += value
            elif target == "msgid":
                entry.msgid += value
            elif target == "msgid_plural":
                entry.msgid_plural += value
            elif isinstance(target, int):
                entry.msgstr[target] += value
        else:
            keyword, _, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and target not in (None, "msgctxt"):
                flush()
            if keyword == "msgctxt":
                target, entry.msgctxt = "msgctxt", _unquote(rest)
            elif keyword == "msgid":
                target, entry.msgid = "msgid", _unquote(rest)
            elif keyword == "msgid_plural":
                target, entry.msgid_plural = "msgid_plural", _unquote(rest)
            elif keyword == "msgstr":
                target = 0
                entry.msgstr[0] = _unquote(rest)
            elif keyword.startswith("msgstr["):
                target = int(keyword[7:-1])
                entry.msgstr[target] = _unquote(rest)
    flush()
    return entries


@cache
def catalog(lang: str) -> dict[tuple[str | None, str], Entry]:
    return read_po(LOCALE_DIR / lang / "LC_MESSAGES" / "django.po")


def placeholders(text: str) -> list[str]:
    return sorted(p for p in PLACEHOLDER.findall(text) if p != "%%")


# --- finding the strings makemessages would extract --------------------------------------------


STRING = r"""u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
TEMPLATIZED_CALL = re.compile(rf"\b(n?p?gettext)\(\s*((?:(?:{STRING}|\w+)\s*,?\s*)+)\)")
CALL_ARG = re.compile(rf"({STRING})|\w+")


def _calls_in_templatized(source: str) -> list[tuple[str | None, str, str | None]]:
    """gettext calls in the Python-like text Django's ``templatize`` makes of a template (the
    same conversion ``makemessages`` feeds to xgettext)."""
    found = []
    for match in TEMPLATIZED_CALL.finditer(source):
        args = [
            ast.literal_eval(arg[1].lstrip("u")) if arg[1] else None
            for arg in CALL_ARG.finditer(match[2])
        ]
        found.append(_pick(match[1], args))
    return found


def _pick(name: str, args: list) -> tuple[str | None, str, str | None]:
    ctx_pos, id_pos, plural_pos = GETTEXT_ARGS[name]
    ctx = args[ctx_pos] if ctx_pos is not None else None
    plural = args[plural_pos] if plural_pos is not None else None
    return ctx, args[id_pos], plural


def _calls_in_python(source: str) -> list[tuple[str | None, str, str | None]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in GETTEXT_ARGS:
            continue
        args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        ctx_pos, id_pos, plural_pos = GETTEXT_ARGS[name]
        if len(args) <= id_pos or not isinstance(args[id_pos], str):
            continue
        if ctx_pos is not None and not isinstance(args[ctx_pos], str):
            continue
        found.append(_pick(name, args))
    return found


def _files(paths: list[str], suffix: str) -> list[Path]:
    files = []
    for rel in paths:
        path = HECO / rel
        candidates = [path] if path.is_file() else sorted(path.rglob(f"*{suffix}"))
        files += [p for p in candidates if p.suffix == suffix and "tests" not in p.parts]
    return files


@cache
def public_strings() -> dict[tuple[str | None, str], tuple[str | None, str]]:
    """(context, msgid) -> (plural, "file") for every public translatable string."""
    strings = {}
    for path in _files(PUBLIC_TEMPLATE_DIRS, ".html") + _files(PUBLIC_TEMPLATE_DIRS, ".txt"):
        source = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for ctx, msgid, plural in _calls_in_templatized(source):
            if msgid:
                strings[(ctx, msgid)] = (plural, str(path.relative_to(HECO)))
    for path in _files(PUBLIC_PYTHON, ".py"):
        for ctx, msgid, plural in _calls_in_python(path.read_text(encoding="utf-8")):
            if msgid:
                strings[(ctx, msgid)] = (plural, str(path.relative_to(HECO)))
    return strings


# --- tests -------------------------------------------------------------------------------------


def test_the_extraction_finds_the_public_strings():
    strings = public_strings()
    assert len(strings) > 250
    assert (None, "Skip to main content") in strings  # site template, translate tag
    assert strings[(None, "%(counter)s heritage asset found")][0] == (
        "%(counter)s heritage assets found"
    )  # blocktranslate count
    assert ("distance", "%(km)s km") in strings  # pgettext in a template tag library
    assert (None, "Open now") in strings  # form label


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_header_declares_the_language_and_its_plural_forms(lang):
    header = (LOCALE_DIR / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    header = header.split("\n\n", 1)[0].replace('"\n"', "")
    assert f"Language: {lang}\\n" in header
    assert f"nplurals={NPLURALS[lang]};" in header
    assert "charset=UTF-8" in header
    assert "#, fuzzy" not in header


@pytest.mark.parametrize("lang", LANGS)
def test_every_catalog_entry_is_translated(lang):
    problems = []
    for entry in catalog(lang).values():
        where = entry.references[0] if entry.references else "?"
        if not entry.translated:
            problems.append(f"untranslated or fuzzy: {entry.msgid!r} ({where})")
            continue
        if entry.msgid_plural is None:
            expected = {0: placeholders(entry.msgid)}
        else:
            if len(entry.msgstr) != NPLURALS[lang]:
                problems.append(f"{len(entry.msgstr)} plural forms: {entry.msgid!r}")
            expected = {i: placeholders(entry.msgid_plural) for i in entry.msgstr}
        for i, text in entry.msgstr.items():
            if placeholders(text) != expected[i]:
                problems.append(f"placeholders differ: {entry.msgid!r} -> {text!r}")
    assert not problems, f"{lang}: {len(problems)} problems\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("lang", LANGS)
def test_public_strings_are_in_the_catalog_and_translated(lang):
    """Fails when a public template or page module has a string that ``make messages`` has
    not brought into the catalog yet, or that is still untranslated."""
    entries = catalog(lang)
    problems = []
    for (ctx, msgid), (plural, where) in sorted(public_strings().items(), key=str):
        entry = entries.get((ctx, msgid))
        if entry is None:
            problems.append(f"not in the catalog (run `make messages`): {msgid!r} ({where})")
        elif not entry.translated:
            problems.append(f"untranslated: {msgid!r} ({where})")
        elif plural is not None and entry.msgid_plural != plural:
            problems.append(f"plural changed (run `make messages`): {msgid!r} ({where})")
    assert not problems, f"{lang}: {len(problems)} problems\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalog_matches_the_po_file(lang):
    """The .mo files are committed: they must be compiled from the current .po."""
    mo_path = LOCALE_DIR / lang / "LC_MESSAGES" / "django.mo"
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"
    with mo_path.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog
    stale = []
    for entry in catalog(lang).values():
        if not entry.translated:
            continue
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            ok = compiled.get(key) == entry.msgstr[0]
        else:
            ok = all(compiled.get((key, i)) == text for i, text in entry.msgstr.items())
        if not ok:
            stale.append(entry.msgid)
    assert not stale, f"{lang}: django.mo is stale, run `make messages`: {stale[:10]}"
