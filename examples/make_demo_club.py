"""Regenerate ``demo-club/club.xlsx``: the bundled demo club (run from anywhere).

A realistic, messy-but-valid sheet: headers the members chose ("Who", "Horizon", "Done?"),
tier words like "2-wk" and "1 year+", a ✓ and a TRUE checkbox for done, progress written as
40%, 0.4 and 40, dates as real cells and as text, a blank row, a name typed in lower case, an
extra column, a member who left, a moved and a skipped meeting.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

D = dt.date
HERE = Path(__file__).resolve().parent / "demo-club"

MEMBERS = [
    ["Name", "Email", "Active", "Focus", "Joined", "Pronouns"],
    ["Ada Okonkwo", "ada@example.org", "yes", "Land a staff engineer role", D(2026, 9, 8), "she/her"],
    ["Bruno Tavares", "bruno@example.org", "yes", "Grow a design consultancy", D(2026, 9, 8), "he/him"],
    ["Chen Wei", "chen.wei@example.org", "Y", "Become known for data storytelling", D(2026, 9, 8), ""],
    ["Dana Whitfield", "dana@example.org", "yes", "Move from teaching into UX research", D(2026, 9, 22), "they/them"],
    ["Elif Yılmaz", "elif@example.org", "", "Balance a new management role with life", D(2026, 10, 8), "she/her"],
    ["Farid Haddad", "farid@example.org", "yes", "Publish a book on urban cycling", D(2026, 11, 3), "he/him"],
    ["Gus Moreau", "gus@example.org", "left", "Career change into nursing", D(2026, 9, 8), ""],
]  # fmt: skip

GOALS_HEADER = [
    "Who", "Goal", "Horizon", "Area", "Done?", "% complete", "Set", "Due", "Done on",
    "Notes", "Accountability buddy",
]  # fmt: skip
GOALS = [
    ["Ada Okonkwo", "Rewrite LinkedIn headline and About section", "2-wk", "Work", "in progress", "60%", D(2026, 11, 17), D(2026, 12, 1), None, "Draft shared in #club", "Chen Wei"],
    ["ada okonkwo ", "Ask two colleagues for written recommendations", "two week", "career", "", None, D(2026, 11, 3), "Nov 17, 2026", None, "", "Chen Wei"],
    ["Ada Okonkwo", "Submit a talk abstract to PyCon", "sprint", "Work", "✓", None, D(2026, 11, 17), D(2026, 12, 1), D(2026, 11, 26), "Submitted!", ""],
    ["Ada Okonkwo", "Publish 3 posts on distributed systems", "Q", "professional", "WIP", 0.33, D(2026, 10, 6), D(2026, 12, 31), None, "1 of 3 live", ""],
    ["Ada Okonkwo", "Run a 10k under 55 minutes", "short term", "Life", "in progress", 70, D(2026, 9, 8), D(2026, 12, 15), None, "", ""],
    ["Ada Okonkwo", "Speak at a regional conference", "1 year+", "Work", "", "10%", D(2026, 9, 8), D(2027, 9, 30), None, "", ""],
    [None, None, None, None, None, None, None, None, None, None, None],
    ["Bruno Tavares", "Send portfolio to five agencies", "2-wk", "Work", "x", None, D(2026, 11, 17), D(2026, 12, 1), D(2026, 11, 24), "Two replies so far", "Dana Whitfield"],
    ["Bruno Tavares", "Set up an invoicing system", "2-wk", "work", "not started", None, D(2026, 10, 20), D(2026, 11, 3), None, "Keeps slipping", ""],
    ["Bruno Tavares", "Sign the first retainer client", "quarterly", "Work", "in progress", "40%", D(2026, 10, 6), D(2026, 12, 31), None, "", ""],
    ["Bruno Tavares", "Take a real two-week holiday", "annual", "personal", "", None, D(2026, 9, 8), D(2027, 8, 1), None, "", ""],
    ["Chen Wei", "Give the lunch-and-learn on dashboards", "2-wk", "career", True, None, D(2026, 11, 17), D(2026, 12, 1), None, "28 people came", "Ada Okonkwo"],
    ["Chen Wei", "Write a data-viz newsletter issue", "2-wk", "Work", "in progress", 0.5, D(2026, 11, 17), None, None, "", "Ada Okonkwo"],
    ["Chen Wei", "Build a public portfolio of 5 visualizations", "Q", "professional", "", "20%", D(2026, 10, 6), "2027-01-15", None, "", ""],
    ["Chen Wei", "Learn conversational Mandarin with family", "long-term", "life", "", 15, D(2026, 9, 8), None, None, "", ""],
    ["Chen Wei", "Start a podcast", "long-term", "Work", "abandoned", None, D(2026, 9, 8), None, None, "Not the right medium for me", ""],
    ["Dana Whitfield", "Finish Google UX certificate module 4", "2-wk", "Work", "done", None, D(2026, 11, 17), D(2026, 12, 1), None, "", "Bruno Tavares"],
    ["Dana Whitfield", "Interview three UX researchers", "2-wk", "Work", "in progress", "33%", D(2026, 11, 3), D(2026, 11, 17), None, "One done, two booked", "Bruno Tavares"],
    ["Dana Whitfield", "Run a usability study for a nonprofit", "short term", "Work", "", "25%", D(2026, 10, 8), D(2026, 12, 20), None, "", ""],
    ["Dana Whitfield", "Land a UX research job", "1 year+", "Work", "", "5%", D(2026, 9, 22), D(2027, 12, 31), None, "", ""],
    ["Dana Whitfield", "Read one novel a month", "Q", "Life", "in progress", 0.66, D(2026, 10, 8), D(2026, 12, 31), None, "", ""],
    ["Elif Yılmaz", "Block two focus mornings a week", "2-wk", "Work", "in progress", 50, D(2026, 11, 17), D(2026, 12, 1), None, "", "Farid Haddad"],
    ["Elif Yılmaz", "Hold first 1:1s with each report", "2-wk", "Work", "done", None, D(2026, 11, 3), D(2026, 11, 17), D(2026, 11, 16), "", ""],
    ["Elif Yılmaz", "Delegate the release checklist", "2-wk", "Work", "", None, D(2026, 10, 20), "Nov 3, 2026", None, "", ""],
    ["Elif Yılmaz", "Be home for dinner four nights a week", "quarterly", "personal", "in progress", "50%", D(2026, 10, 8), D(2026, 12, 31), None, "", ""],
    ["Elif Yılmaz", "Become a director", "long-term", "career", "", None, D(2026, 10, 8), D(2028, 6, 30), None, "", ""],
    ["Farid Haddad", "Outline all twelve chapters", "2-wk", "Work", "in progress", "75%", D(2026, 11, 17), D(2026, 12, 1), None, "Chapters 1–9 outlined", "Elif Yılmaz"],
    ["Farid Haddad", "Pitch the book to two publishers", "Q", "Work", "", None, D(2026, 11, 3), D(2027, 2, 28), None, "", ""],
    ["Farid Haddad", "Ride the full Lake Ontario waterfront trail", "yearly", "Life", "", "30%", D(2026, 11, 3), D(2027, 9, 1), None, "", ""],
    ["Gus Moreau", "Apply to nursing programs", "Q", "career", "", None, D(2026, 9, 8), D(2026, 12, 1), None, "", ""],
]  # fmt: skip

MEETINGS = [
    ["Date", "Location", "Facilitator", "Attended", "Status", "Notes"],
    [D(2026, 9, 8), "", "Ada Okonkwo", "Ada Okonkwo, Bruno Tavares, Chen Wei, Gus Moreau", "", "Kick-off: everyone set goals in three tiers"],
    [D(2026, 9, 22), "", "Bruno Tavares", "Ada Okonkwo, Bruno Tavares, Chen Wei, Dana Whitfield", "", ""],
    [D(2026, 10, 8), "Café Lumen", "Chen Wei", "Ada Okonkwo, Chen Wei, Dana Whitfield, Elif Yılmaz", "held", "Moved to Thursday for the offsite"],
    [D(2026, 10, 20), "", "", "", "skipped", "Conference week"],
    [D(2026, 11, 3), "", "Dana Whitfield", "Ada Okonkwo, Bruno Tavares, Dana Whitfield, Elif Yılmaz, Farid Haddad", "", ""],
    ["Nov 17, 2026", "", "Elif Yılmaz", "Ada Okonkwo, Bruno Tavares, Chen Wei, Dana Whitfield, Elif Yılmaz, Farid Haddad", "", "Peer feedback on LinkedIn profiles"],
]  # fmt: skip


def write_demo(path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    for title, rows in (
        ("Members", MEMBERS),
        ("Goals", [GOALS_HEADER, *GOALS]),
        ("Meetings", MEETINGS),
    ):
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "mmm d, yyyy"
                elif isinstance(cell.value, float) and 0 < cell.value < 1:
                    cell.number_format = "0%"
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 22
    book.save(path)


if __name__ == "__main__":
    write_demo(HERE / "club.xlsx")
    print(f"wrote {HERE / 'club.xlsx'}")
