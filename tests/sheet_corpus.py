"""A corpus of club sheets kept the way clubs keep them, each with its figures counted by hand.

Every layout writes the same small club — Ada: "Rewrite CV" (two-week, done), "Call two
mentors" (two-week, open), "Publish 3 posts" (quarterly, open); Bo: "Find a studio" (two-week,
open), "Learn to sail" (long-term, done) — in a different shape, so each one's expected figures
are the same four lines, counted once by hand in :data:`EXPECTED`. Layouts that add something
(a member who left, a half-done goal) say what they add and carry their own figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

Rows = list[list[Any]]

EXPECTED = {
    "Ada Okonkwo": {"two-week": [2, 1], "quarterly": [1, 0]},
    "Bo Chen": {"two-week": [1, 0], "long-term": [1, 1]},
}
"""member → tier → [goals counted, done], tiers without goals left out."""

MEMBERS: Rows = [
    ["Name", "Email", "Active"],
    ["Ada Okonkwo", "ada@example.org", "yes"],
    ["Bo Chen", "bo@example.org", "yes"],
]
PLAIN: Rows = [
    ["Member", "Goal", "Tier", "Category", "Status"],
    ["Ada Okonkwo", "Rewrite CV", "two-week", "professional", "done"],
    ["Ada Okonkwo", "Call two mentors", "two-week", "professional", "in progress"],
    ["Ada Okonkwo", "Publish 3 posts", "quarterly", "professional", ""],
    ["Bo Chen", "Find a studio", "two-week", "professional", ""],
    ["Bo Chen", "Learn to sail", "long-term", "personal", "done"],
]


@dataclass
class Layout:
    """One way of keeping the sheet: its tabs, merged ranges, config lines, figures."""

    name: str
    tabs: dict[str, Rows]
    config: dict = field(default_factory=dict)
    merged: dict[str, list[str]] = field(default_factory=dict)
    cells: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Cells set by A1 reference after the rows (an error cell: ``{"Goals": {"E3": "#N/A"}}``)."""
    expected: dict = field(default_factory=lambda: EXPECTED)
    kind: str = "xlsx"
    struck: dict[str, list[str]] = field(default_factory=dict)
    """Cells whose font is struck through (.xlsx only): ``{"Goals": ["B2"]}``."""

    def write(self, folder: Path) -> str:
        """Write the sheet into ``folder``; returns the ``source.path`` to configure."""
        if self.kind == "csv":
            target = folder / "club"
            target.mkdir(parents=True, exist_ok=True)
            import csv

            for title, rows in self.tabs.items():
                with (target / f"{title}.csv").open("w", newline="", encoding="utf-8") as file:
                    csv.writer(file).writerows([["" if v is None else v for v in r] for r in rows])
            return "club"
        if self.kind == "ods":
            write_ods(folder / "club.ods", self.tabs)
            return "club.ods"
        book = Workbook()
        book.remove(book.active)
        for title, rows in self.tabs.items():
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
            for cells in self.merged.get(title, []):
                sheet.merge_cells(cells)
            for ref, value in self.cells.get(title, {}).items():
                sheet[ref] = value
            for ref in self.struck.get(title, []):
                sheet[ref].font = Font(strike=True)
        book.save(folder / "club.xlsx")
        return "club.xlsx"


def write_ods(path: Path, tabs: dict[str, Rows]) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for title, rows in tabs.items():
        table = Table(name=title)
        for row in rows:
            line = TableRow()
            for value in row:
                cell = TableCell()
                if value not in (None, ""):
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=str(value)))
                line.addElement(cell)
            table.addElement(line)
        document.spreadsheet.addElement(table)
    document.save(str(path))


def _by_member(columns: list[str]) -> dict[str, Rows]:
    """PLAIN's goals split per member, with these columns (Goal, Tier, Status, Category)."""
    index = {name: PLAIN[0].index(name) for name in columns}
    found: dict[str, Rows] = {}
    for row in PLAIN[1:]:
        found.setdefault(row[0], []).append([row[index[name]] for name in columns])
    return found


def layouts() -> list[Layout]:
    ada, bo = _by_member(["Goal", "Tier", "Status"]).values()
    sectioned_ada = [
        ["Goal", "Status"],
        ["TWO WEEK GOALS"],
        ["Rewrite CV", "✅"],
        ["Call two mentors", "🔄"],
        [],
        ["Quarterly goals (Q1)"],
        ["Publish 3 posts", ""],
    ]
    sectioned_bo = [
        ["Goal", "Status"],
        ["Two week goals"],
        ["Find a studio", "Not done"],
        ["Long term – 1 yr+"],
        ["Learn to sail", "Complete"],
    ]
    found = [
        Layout("plain", {"Members": MEMBERS, "Goals": PLAIN}),
        Layout(
            "title-subtitle-blank",
            {
                "Members": [["PBC members"], *MEMBERS],
                "Goals": [["PBC Goals 2026"], ["Updated every meeting"], [], *PLAIN],
            },
        ),
        Layout(
            "merged-banner",
            {"Members": MEMBERS, "Goals": [["PBC Goals 2026"], *PLAIN]},
            merged={"Goals": ["A1:E1"]},
        ),
        Layout(
            "emoji-headers",
            {
                "Members": [["👤 Name", "📧 Email", "Active?"], *MEMBERS[1:]],
                "Goals": [
                    ["👤 Member", "🎯 Goal", "⏱ Tier", "🗂 Category", "✅ Status"],
                    *PLAIN[1:],
                ],
            },
        ),
        Layout(
            "aliases-and-column-order",
            {
                "Members": MEMBERS,
                "Goals": [
                    ["Done?", "Horizon", "Who", "Goal description", "Area"],
                    *[[r[4], r[2], r[0], r[1], r[3]] for r in PLAIN[1:]],
                ],
            },
        ),
        Layout(
            "tier-section-rows",
            {
                "Members": MEMBERS,
                "Goals": [
                    ["Member", "Goal", "Status"],
                    ["TWO WEEK GOALS"],
                    ["Ada Okonkwo", "Rewrite CV", "Done"],
                    ["Ada Okonkwo", "Call two mentors", "On track"],
                    ["Bo Chen", "Find a studio", "Behind"],
                    [],
                    ["Quarterly goals (Q1)"],
                    ["Ada Okonkwo", "Publish 3 posts", ""],
                    ["Long term – 1 yr+"],
                    ["Bo Chen", "Learn to sail", "✅ Done"],
                ],
            },
        ),
        Layout(
            "member-section-rows",
            {
                "Members": MEMBERS,
                "Goals": [
                    ["Goal", "Tier", "Status"],
                    ["Ada Okonkwo"],
                    *ada,
                    ["Bo Chen"],
                    *bo,
                ],
            },
        ),
        Layout(
            "category-section-rows",
            {
                "Members": MEMBERS,
                "Goals": [
                    ["Member", "Goal", "Tier", "Status"],
                    ["Professional"],
                    *[[r[0], r[1], r[2], r[4]] for r in PLAIN[1:5]],
                    ["Personal"],
                    [PLAIN[5][0], PLAIN[5][1], PLAIN[5][2], PLAIN[5][4]],
                ],
            },
        ),
        Layout(
            "member-blank-down-block",
            {
                "Members": MEMBERS,
                "Goals": [
                    ["Member", "Goal", "Tier", "Status"],
                    ["Ada Okonkwo", "Rewrite CV", "2 weeks", "done"],
                    [None, "Call two mentors", "2 weeks", "wip"],
                    [None, "Publish 3 posts", "This quarter", ""],
                    [],
                    ["Bo Chen", "Find a studio", "2 weeks", ""],
                    [None, "Learn to sail", "Yearly", "yes"],
                ],
            },
        ),
        Layout(
            "member-merged-down-block",
            {
                "Members": MEMBERS,
                "Goals": [
                    ["Member", "Goal", "Tier", "Status"],
                    ["Ada Okonkwo", "Rewrite CV", "2 weeks", "done"],
                    [None, "Call two mentors", "2 weeks", "wip"],
                    [None, "Publish 3 posts", "This quarter", ""],
                    ["Bo Chen", "Find a studio", "2 weeks", ""],
                    [None, "Learn to sail", "Yearly", "yes"],
                ],
            },
            merged={"Goals": ["A2:A4", "A5:A6"]},
        ),
        Layout(
            "tab-per-member-with-members-tab",
            {
                "Members": MEMBERS,
                "Ada Okonkwo": [["Goal", "Tier", "Status"], *ada],
                "Bo Chen": [["Goal", "Tier", "Status"], *bo],
            },
        ),
        Layout(
            "tab-per-member-first-names",
            {
                "Members": MEMBERS,
                "Ada": [["Goal", "Tier", "Status"], *ada],
                "Bo": [["Goal", "Tier", "Status"], *bo],
            },
        ),
        Layout(
            "tab-per-member-no-members-tab",
            {
                "Instructions": [["Add your goals in your own tab"]],
                "Ada Okonkwo": [["Goal", "Tier", "Status"], *ada],
                "Bo Chen": [["Goal", "Tier", "Status"], *bo],
                "Template": [["Goal", "Tier", "Status"], ["", "", ""]],
            },
        ),
        Layout(
            "tab-per-member-sections",
            {"Ada Okonkwo": sectioned_ada, "Bo Chen": sectioned_bo, "Archive": [["old"]]},
        ),
        Layout(
            "tab-per-member-title-rows",
            {
                "Ada Okonkwo": [["Ada's goals"], [], ["Goal", "Tier", "Status"], *ada],
                "Bo Chen": [["Bo's goals"], [], ["Goal", "Tier", "Status"], *bo],
            },
            config={"source": {"layout": "tab-per-member"}},
        ),
        Layout(
            "tab-per-member-with-member-column",
            {
                "Ada Okonkwo": [["Member", "Goal", "Tier", "Status"], *[["Ada", *r] for r in ada]],
                "Bo Chen": [["Member", "Goal", "Tier", "Status"], *[["Bo", *r] for r in bo]],
            },
        ),
        Layout(
            "tab-per-member-wide",
            {
                "Members": MEMBERS,
                "Ada Okonkwo": [
                    ["2 week goals", "Quarterly goals"],
                    ["[x] Rewrite CV", "Publish 3 posts"],
                    ["[ ] Call two mentors", None],
                ],
                "Bo Chen": [["2 week goals", "Long term"], ["Find a studio", "✅ Learn to sail"]],
            },
        ),
        Layout(
            "wide-lines-and-check-marks",
            {
                "Members": MEMBERS,
                "Goals": [
                    ["Member", "Two-week goal(s)", "Quarterly goal", "1 year goal"],
                    ["Ada Okonkwo", "✅ Rewrite CV\nCall two mentors", "Publish 3 posts", None],
                    ["Bo Chen", "Find a studio", None, "Learn to sail ✅"],
                ],
            },
        ),
        Layout(
            "wide-bullets-and-markers",
            {
                "Members": MEMBERS,
                "Goals": [
                    ["PBC goals board"],
                    ["Name", "2 week goals", "This quarter", "Long term (1yr+)"],
                    [
                        "Ada Okonkwo",
                        "• Rewrite CV [x]\n• Call two mentors [ ]",
                        "- Publish 3 posts",
                    ],
                    ["Bo Chen", "1. Find a studio", "", "Learn to sail (done)"],
                ],
            },
        ),
        Layout(
            "words-as-typed",
            {
                "Members": MEMBERS,
                "Goals": [
                    ["Member", "Goal", "Tier", "Status"],
                    ["Ada Okonkwo", "Rewrite CV", "Two Week Goals", "✔"],
                    ["Ada Okonkwo", "Call two mentors", "2 weeks", "Partially done"],
                    ["Ada Okonkwo", "Publish 3 posts", "Short-term (quarterly)", "Carried over"],
                    ["Bo Chen", "Find a studio", "two week", "❌"],
                    ["Bo Chen", "Learn to sail", "Long term (1yr+)", "☑"],
                ],
            },
        ),
        Layout(
            "members-status-column",
            {
                "Members": [
                    ["Name", "Email", "Status"],
                    ["Ada Okonkwo", "ada@example.org", "Active"],
                    ["Bo Chen", "bo@example.org", "Active"],
                    ["Cy Diallo", "cy@example.org", "Left"],
                    ["Dee Ekwueme", "dee@example.org", "On leave"],
                ],
                "Goals": [
                    *PLAIN,
                    ["Cy Diallo", "Apply to nursing school", "quarterly", "professional", "done"],
                    ["Dee Ekwueme", "Write a book", "long-term", "personal", ""],
                ],
            },
        ),
        Layout(
            "template-slots",
            {
                "Members": MEMBERS,
                "Goals": [
                    *PLAIN,
                    ["Ada Okonkwo", None, "long-term", None, None],
                    ["Bo Chen", None, "quarterly", None, None],
                    ["Bo Chen", None, "two-week", "personal", None],
                ],
            },
        ),
        Layout(
            "percent-complete-without-status",
            {
                "Members": MEMBERS,
                "Goals": [
                    ["Member", "Goal", "Tier", "% complete"],
                    ["Ada Okonkwo", "Rewrite CV", "two-week", "100%"],
                    ["Ada Okonkwo", "Call two mentors", "two-week", "50%"],
                    ["Ada Okonkwo", "Publish 3 posts", "quarterly", 0],
                    ["Bo Chen", "Find a studio", "two-week", None],
                    ["Bo Chen", "Learn to sail", "long-term", 1],
                ],
            },
        ),
        Layout(
            "status-percent",
            {
                "Members": MEMBERS,
                "Goals": [
                    ["Member", "Goal", "Tier", "Status"],
                    ["Ada Okonkwo", "Rewrite CV", "two-week", "Complete"],
                    ["Ada Okonkwo", "Call two mentors", "two-week", "50%"],
                    ["Ada Okonkwo", "Publish 3 posts", "Q4", "Incomplete"],
                    ["Bo Chen", "Find a studio", "two-week", "⏳"],
                    ["Bo Chen", "Learn to sail", "yearly", "Done"],
                ],
            },
        ),
        Layout(
            "csv-with-title-rows",
            {"Members": MEMBERS, "Goals": [["Club goals"], [], *PLAIN]},
            kind="csv",
        ),
        Layout(
            "ods-with-sections",
            {
                "Members": MEMBERS,
                "Goals": [
                    ["Member", "Goal", "Status"],
                    ["TWO WEEK GOALS"],
                    ["Ada Okonkwo", "Rewrite CV", "Done"],
                    ["Ada Okonkwo", "Call two mentors", ""],
                    ["Bo Chen", "Find a studio", ""],
                    ["QUARTERLY GOALS"],
                    ["Ada Okonkwo", "Publish 3 posts", ""],
                    ["YEARLY GOALS"],
                    ["Bo Chen", "Learn to sail", "Done"],
                ],
            },
            kind="ods",
        ),
    ]
    return found + in_other_words()


def _translated(members: Rows, goals_header: list[str], words: dict[str, str]) -> Rows:
    """PLAIN's goals under ``goals_header`` (Member, Goal, Tier, Category, Status), each tier,
    category and status written as ``words`` says (a word left out stays blank)."""
    return [goals_header, *[[r[0], r[1], *(words.get(v, v) for v in r[2:])] for r in PLAIN[1:]]]


def in_other_words() -> list[Layout]:
    """The same club kept in Spanish, French, German, Portuguese, Italian and Dutch, and in an
    English club's own words; then sheets whose rows or tabs are not all goals."""
    spanish = {"two-week": "Dos semanas", "quarterly": "Trimestral", "long-term": "Largo plazo",
               "professional": "Profesional", "personal": "Personal", "done": "Hecho",
               "in progress": "En curso"}  # fmt: skip
    french = {"two-week": "2 semaines", "quarterly": "Trimestriel", "long-term": "Long terme",
              "professional": "Professionnel", "personal": "Personnel", "done": "Terminé",
              "in progress": "En cours"}  # fmt: skip
    german = {"two-week": "Zwei Wochen", "quarterly": "Quartal", "long-term": "Langfristig",
              "professional": "Beruflich", "personal": "Persönlich", "done": "Erledigt",
              "in progress": "In Arbeit", "": "Offen"}  # fmt: skip
    portuguese = {"two-week": "Quinzenal", "quarterly": "Trimestral", "long-term": "Longo prazo",
                  "professional": "Profissional", "personal": "Pessoal", "done": "Concluído",
                  "in progress": "Em andamento"}  # fmt: skip
    italian = {"two-week": "Due settimane", "quarterly": "Trimestrale",
               "long-term": "Lungo termine", "professional": "Professionale",
               "personal": "Personale", "done": "Fatto", "in progress": "In corso"}  # fmt: skip
    dutch = {"two-week": "Twee weken", "quarterly": "Kwartaal", "long-term": "Lange termijn",
             "professional": "Werk", "personal": "Persoonlijk", "done": "Klaar",
             "in progress": "Mee bezig"}  # fmt: skip
    local = {"two-week": "Next 2 wks", "quarterly": "90-day", "long-term": "FY2027",
             "done": "checked", "in progress": "Amber", "": "unchecked"}  # fmt: skip
    return [
        Layout(
            "spanish",
            {
                "Miembros": [
                    ["Nombre", "Correo", "Activo"],
                    *[[*r[:2], "sí"] for r in MEMBERS[1:]],
                ],
                "Metas": _translated(
                    MEMBERS, ["Miembro", "Meta", "Plazo", "Categoría", "Estado"], spanish
                ),
            },
        ),
        Layout(
            "french-ods",
            {
                "Membres": [["Nom", "Courriel", "Actif"], *[[*r[:2], "oui"] for r in MEMBERS[1:]]],
                "Objectifs": _translated(
                    MEMBERS, ["Membre", "Objectif", "Horizon", "Catégorie", "Statut"], french
                ),
            },
            kind="ods",
        ),
        Layout(
            "german-csv",
            {
                "Mitglieder": [["Name", "E-Mail", "Aktiv"], *[[*r[:2], "ja"] for r in MEMBERS[1:]]],
                "Ziele": _translated(
                    MEMBERS, ["Mitglied", "Ziel", "Zeitraum", "Kategorie", "Status"], german
                ),
            },
            kind="csv",
        ),
        Layout(
            "portuguese-configured",
            {
                "Membros": [["Nome", "E-mail", "Ativo"], *[[*r[:2], "sim"] for r in MEMBERS[1:]]],
                "Metas": _translated(
                    MEMBERS, ["Membro", "Meta", "Prazo", "Categoria", "Situação"], portuguese
                ),
            },
            config={"club": {"language": "pt-BR"}},
        ),
        Layout(
            "italian",
            {
                "Membri": [["Nome", "Email", "Attivo"], *[[*r[:2], "sì"] for r in MEMBERS[1:]]],
                "Obiettivi": _translated(
                    MEMBERS, ["Membro", "Obiettivo", "Orizzonte", "Categoria", "Stato"], italian
                ),
            },
        ),
        Layout(
            "dutch",
            {
                "Leden": [["Naam", "E-mail", "Actief"], *[[*r[:2], "ja"] for r in MEMBERS[1:]]],
                "Doelen": _translated(
                    MEMBERS, ["Lid", "Doel", "Termijn", "Categorie", "Status"], dutch
                ),
            },
        ),
        Layout(
            "spanish-wide-sections",
            {
                "Miembros": [["Nombre"], ["Ada Okonkwo"], ["Bo Chen"]],
                "Metas": [
                    ["Nombre", "Metas a dos semanas", "Metas trimestrales", "Largo plazo"],
                    ["Ada Okonkwo", "✅ Rewrite CV\nCall two mentors", "Publish 3 posts", None],
                    ["Bo Chen", "Find a studio", None, "✅ Learn to sail"],
                ],
            },
        ),
        Layout(
            "english-local-words",
            {"Members": MEMBERS, "Goals": _translated(MEMBERS, PLAIN[0], local)},
        ),
        Layout(
            "quarters-and-cycles",
            {
                "Members": MEMBERS,
                "Goals": [
                    ["Member", "Goal", "Tier", "Status"],
                    ["Ada Okonkwo", "Rewrite CV", "Cycle 23", "Done"],
                    ["Ada Okonkwo", "Call two mentors", "Sprint 12", "Open"],
                    ["Ada Okonkwo", "Publish 3 posts", "Q4 2026", ""],
                    ["Bo Chen", "Find a studio", "12-week", "Open"],
                    ["Bo Chen", "Learn to sail", "1-year", "Done"],
                ],
            },
            expected={
                "Ada Okonkwo": {"two-week": [2, 1], "quarterly": [1, 0]},
                "Bo Chen": {"quarterly": [1, 0], "long-term": [1, 1]},
            },
        ),
        Layout(
            "vocabulary-setting",
            {
                "Members": MEMBERS,
                "Goals": _translated(
                    MEMBERS,
                    PLAIN[0],
                    {
                        "two-week": "Now",
                        "quarterly": "Soon",
                        "long-term": "Someday",
                        "done": "Nailed it",
                        "in progress": "Chipping away",
                    },
                ),
            },
            config={
                "vocabulary": {
                    "tier": {"two-week": ["Now"], "quarterly": "Soon", "long-term": ["Someday"]},
                    "status": {"done": ["Nailed it"], "open": ["Chipping away"]},
                }
            },
        ),
        Layout(
            "no-roster-tab",
            {"Goals": PLAIN},
        ),
        Layout(
            "single-tab-export",
            {
                "Sheet1": [
                    ["Owner", "Goal", "Tier", "Status"],
                    *[[r[0], r[1], r[2], r[4]] for r in PLAIN[1:]],
                ]
            },
        ),
        Layout(
            "tab-per-tier",
            {
                "Members": MEMBERS,
                "2-Week Goals": [
                    ["Member", "Goal", "Status"],
                    ["Ada Okonkwo", "Rewrite CV", "Done"],
                    ["Ada Okonkwo", "Call two mentors", "In progress"],
                    ["Bo Chen", "Find a studio", ""],
                ],
                "Quarterly": [["Member", "Goal", "Status"], ["Ada Okonkwo", "Publish 3 posts", ""]],
                "Yearly": [["Member", "Goal", "Status"], ["Bo Chen", "Learn to sail", "Done"]],
                "Instructions": [["One tab per horizon"]],
            },
        ),
        Layout(
            "tab-per-tier-no-roster-spanish",
            {
                "Quincenal": [
                    ["Miembro", "Meta", "Estado"],
                    ["Ada Okonkwo", "Rewrite CV", "Hecho"],
                    ["Ada Okonkwo", "Call two mentors", "Pendiente"],
                    ["Bo Chen", "Find a studio", "Pendiente"],
                ],
                "Trimestral": [
                    ["Miembro", "Meta", "Estado"],
                    ["Ada Okonkwo", "Publish 3 posts", ""],
                ],
                "Largo plazo": [
                    ["Miembro", "Meta", "Estado"],
                    ["Bo Chen", "Learn to sail", "Hecho"],
                ],
            },
        ),
        Layout(
            "template-rows-with-defaults",
            {
                "Members": MEMBERS,
                "Goals": [
                    ["Member", "Goal", "Tier", "Done?", "Progress", "Days left"],
                    ["Ada Okonkwo", "Rewrite CV", "two-week", True, 1, 3],
                    ["Ada Okonkwo", "Call two mentors", "two-week", False, "50%", 3],
                    ["Ada Okonkwo", "Publish 3 posts", "quarterly", False, 0, 40],
                    ["Bo Chen", "Find a studio", "two-week", False, 0, 3],
                    ["Bo Chen", "Learn to sail", "long-term", True, 1, 200],
                    ["Ada Okonkwo", None, "two-week", False, 0, 3],
                    [None, None, None, False, "0%", 0],
                    [None, None, None, "FALSE", 0, 0],
                ],
            },
        ),
        Layout(
            "totals-row",
            {
                "Members": MEMBERS,
                "Goals": [
                    *PLAIN,
                    [],
                    ["Total", None, None, None, "2 of 5"],
                    ["Average", None, None, None, "40%"],
                ],
            },
        ),
        Layout(
            "legend-beside-the-table",
            {
                "Members": MEMBERS,
                "Goals": [
                    [*PLAIN[0], None, "Legend"],
                    [*PLAIN[1], None, "✅ = done"],
                    [*PLAIN[2], None, "⏳ = in progress"],
                    [*PLAIN[3], None, "Tiers: two-week, quarterly, long-term"],
                    [*PLAIN[4]],
                    [*PLAIN[5]],
                    [None, None, None, None, None, None, "Ask Ada about the sheet"],
                    [None, None, None, None, None, None, "🚫 = dropped"],
                ],
            },
        ),
        Layout(
            "two-header-rows",
            {
                "Members": MEMBERS,
                "Goals": [
                    ["Member", "Two-week", None, "Quarterly", None, "Long-term", None],
                    [None, "Goal", "Status", "Goal", "Status", "Goal", "Status"],
                    ["Ada Okonkwo", "Rewrite CV", "Done", "Publish 3 posts", "", None, None],
                    ["Ada Okonkwo", "Call two mentors", "In progress", None, None, None, None],
                    ["Bo Chen", "Find a studio", "", None, None, "Learn to sail", "Done"],
                ],
            },
            merged={"Goals": ["A1:A2", "B1:C1", "D1:E1", "F1:G1"]},
        ),
        Layout(
            "two-header-rows-french",
            {
                "Membres": [["Nom"], ["Ada Okonkwo"], ["Bo Chen"]],
                "Objectifs": [
                    ["Suivi des objectifs"],
                    ["Membre", "2 semaines", None, "Trimestre", None, "Long terme", None],
                    [None, "Objectif", "Statut", "Objectif", "Statut", "Objectif", "Statut"],
                    ["Ada Okonkwo", "Rewrite CV", "Terminé", "Publish 3 posts", "En cours"],
                    ["Ada Okonkwo", "Call two mentors", "En cours"],
                    ["Bo Chen", "Find a studio", "", None, None, "Learn to sail", "Fait"],
                ],
            },
        ),
        Layout(
            "tab-per-meeting",
            {
                "Members": MEMBERS,
                "Nov 17, 2026": [
                    PLAIN[0],
                    ["Ada Okonkwo", "Update LinkedIn", "two-week", "professional", "done"],
                    ["Bo Chen", "Find a studio", "two-week", "professional", ""],
                ],
                "1 Dec 2026": PLAIN,
                "2026-11-03": [
                    PLAIN[0],
                    ["Bo Chen", "Sketch daily", "two-week", "personal", "dropped"],
                ],
            },
        ),
        Layout(
            "google-form-responses",
            {
                "Members": MEMBERS,
                "Form Responses 1": [
                    [
                        "Timestamp",
                        "Your name",
                        "What are your two-week goals?",
                        "What are your quarterly goals?",
                        "Your long-term goal",
                        "Did you complete last cycle's goals?",
                    ],
                    ["11/17/2026 12:03:11", "Ada Okonkwo", "Update LinkedIn", "", "", "Yes"],
                    ["11/17/2026 18:40:02", "Bo Chen", "Sketch daily", "", "Learn to sail", "No"],
                    [
                        "12/1/2026 09:15:45",
                        "ada okonkwo",
                        "✅ Rewrite CV\nCall two mentors",
                        "Publish 3 posts",
                        "",
                        "Yes",
                    ],
                    [
                        "12/1/2026 20:01:00",
                        "Bo Chen",
                        "Find a studio",
                        "",
                        "✅ Learn to sail",
                        "Partly",
                    ],
                ],
            },
        ),
        Layout(
            "check-in-grid",
            {
                "Members": MEMBERS,
                "Goals": [
                    ["Member", "Goal", "Tier", "Nov 3, 2026", "Nov 17, 2026", "Dec 1, 2026"],
                    ["Ada Okonkwo", "Rewrite CV", "two-week", "✗", "½", "✓"],
                    ["Ada Okonkwo", "Call two mentors", "two-week", None, "✗", "½"],
                    ["Ada Okonkwo", "Publish 3 posts", "quarterly", "✗", "✗", None],
                    ["Bo Chen", "Find a studio", "two-week", None, None, None],
                    ["Bo Chen", "Learn to sail", "long-term", "½", "✓", None],
                ],
            },
        ),
        Layout(
            "german-tab-per-member-sections",
            {
                "Ada Okonkwo": [
                    ["Ziel", "Status"],
                    ["ZWEI WOCHEN"],
                    ["Rewrite CV", "Erledigt"],
                    ["Call two mentors", "In Arbeit"],
                    ["Quartalsziele"],
                    ["Publish 3 posts", "Offen"],
                ],
                "Bo Chen": [
                    ["Ziel", "Status"],
                    ["Zwei Wochen"],
                    ["Find a studio", "Nicht begonnen"],
                    ["Langfristig"],
                    ["Learn to sail", "Geschafft"],
                ],
                "Anleitung": [["Jedes Mitglied hat einen eigenen Tab"]],
            },
            config={"club": {"language": "de"}},
        ),
        Layout(
            "members-as-initials-and-emails",
            {
                "Members": MEMBERS,
                "Goals": [
                    PLAIN[0],
                    ["Ada O.", *PLAIN[1][1:]],
                    ["ada@example.org", *PLAIN[2][1:]],
                    ["Ada O", *PLAIN[3][1:]],
                    ["bo@example.org", *PLAIN[4][1:]],
                    ["Bo C.", *PLAIN[5][1:]],
                ],
            },
        ),
    ]


LAYOUTS: list[Layout] = layouts()

Figures = dict[str, dict[str, list[int]]]


def figures(status: dict) -> Figures:
    """member → tier → [goals counted, done] from ``status --format json``."""
    return {
        member["name"]: {
            tier: [stats["total"], stats["done"]]
            for tier, stats in member["tiers"].items()
            if stats["total"]
        }
        for member in status["members"]
    }
