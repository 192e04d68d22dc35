"""House rules that code review alone would let slip."""
import ast

from core.db import ROOT
from core.ui.nav import SCREENS


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_streamlit_outside_core_ui():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "core").rglob("*.py")
                 if "ui" not in p.relative_to(ROOT / "core").parts[:1] and "streamlit" in _imports(p)]
    assert offenders == []


def test_every_screen_starts_with_the_shared_setup():
    """Each page can be opened directly by URL, so its first statement (after imports) is setup_page(id)."""
    for screen in SCREENS:
        tree = ast.parse((ROOT / screen.path).read_text(encoding="utf-8"))
        first = next(node for node in tree.body
                     if not isinstance(node, (ast.Import, ast.ImportFrom))
                     and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)))
        assert isinstance(first, ast.Assign) and isinstance(first.value, ast.Call), screen.path
        call = first.value
        assert getattr(call.func, "id", None) == "setup_page", screen.path
        assert [a.value for a in call.args] == [screen.id], screen.path


def test_every_page_file_is_a_screen():
    listed = {s.path for s in SCREENS}
    assert {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")} <= listed
