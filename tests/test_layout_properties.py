"""Noise that does not change a club's goals does not change its figures.

Hypothesis writes the Goals tab in one of seven languages, adds title rows, blank rows, tier
section rows, member cells left blank down their block, template rows (a member and FALSE or 0,
no goal), a totals row, case and spacing noise, and reorders the columns; the figures (goals and
done per member and tier) stay those of the clean sheet, read by the library as ``read_club``
reads any source.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from sheet_corpus import EXPECTED, MEMBERS, PLAIN

from sheetmentor.config import Config
from sheetmentor.sheet.normalize import normalize
from sheetmentor.sheet.sources import RawTable

CONFIG = Config.model_validate(
    {
        "club": {"name": "Property Club"},
        "meetings": {"first": dt.date(2026, 9, 8)},
        "source": {"path": "club.xlsx"},
    }
)
TIER_WORDS = {
    "two-week": ["two-week", "2 weeks", "TWO WEEK GOALS", "Biweekly", "2-wk"],
    "quarterly": ["quarterly", "This quarter", "Q4", "Short-term (quarterly)"],
    "long-term": ["long-term", "Long term (1yr+)", "Yearly", "1 year+"],
}
STATUS_WORDS = {
    "done": ["done", "✅ Done", "Complete", "✔", "x"],
    "in progress": ["in progress", "On track", "Behind", "Carried over", "Not done", "50%"],
    "": ["", "⏳", "Incomplete"],
}


LANGUAGES = {
    "es": {
        "header": ["Miembro", "Meta", "Plazo", "Categoría", "Estado"],
        "two-week": ["Dos semanas", "Quincenal", "2 semanas"],
        "quarterly": ["Trimestral", "Trimestre"],
        "long-term": ["Largo plazo", "Anual"],
        "professional": ["Profesional", "Trabajo"],
        "personal": ["Personal", "Salud"],
        "done": ["Hecho", "Completado", "✅ Hecho"],
        "in progress": ["En curso", "Pendiente"],
        "": ["", "No iniciado"],
    },
    "fr": {
        "header": ["Membre", "Objectif", "Horizon", "Catégorie", "Statut"],
        "two-week": ["2 semaines", "Deux semaines"],
        "quarterly": ["Trimestriel", "Trimestre"],
        "long-term": ["Long terme", "Annuel"],
        "professional": ["Professionnel", "Travail"],
        "personal": ["Personnel", "Santé"],
        "done": ["Terminé", "Fait", "Termine"],
        "in progress": ["En cours"],
        "": ["", "À faire"],
    },
    "de": {
        "header": ["Mitglied", "Ziel", "Zeitraum", "Kategorie", "Status"],
        "two-week": ["Zwei Wochen", "2 Wochen"],
        "quarterly": ["Quartal", "Vierteljährlich"],
        "long-term": ["Langfristig", "Jährlich"],
        "professional": ["Beruflich", "Arbeit"],
        "personal": ["Persönlich", "Privat"],
        "done": ["Erledigt", "Fertig", "ja"],
        "in progress": ["In Arbeit", "Offen"],
        "": ["", "Nicht begonnen"],
    },
    "pt": {
        "header": ["Membro", "Meta", "Prazo", "Categoria", "Situação"],
        "two-week": ["Quinzenal", "Duas semanas"],
        "quarterly": ["Trimestral"],
        "long-term": ["Longo prazo", "Anual"],
        "professional": ["Profissional", "Trabalho"],
        "personal": ["Pessoal"],
        "done": ["Concluído", "Concluido", "Feito"],
        "in progress": ["Em andamento"],
        "": ["", "Pendente"],
    },
    "it": {
        "header": ["Membro", "Obiettivo", "Orizzonte", "Categoria", "Stato"],
        "two-week": ["Due settimane", "Quindicinale"],
        "quarterly": ["Trimestrale"],
        "long-term": ["Lungo termine", "Annuale"],
        "professional": ["Professionale", "Lavoro"],
        "personal": ["Personale"],
        "done": ["Fatto", "Completato"],
        "in progress": ["In corso"],
        "": ["", "Da fare"],
    },
    "nl": {
        "header": ["Lid", "Doel", "Termijn", "Categorie", "Status"],
        "two-week": ["Twee weken", "Tweewekelijks"],
        "quarterly": ["Kwartaal"],
        "long-term": ["Lange termijn", "Jaarlijks"],
        "professional": ["Werk", "Professioneel"],
        "personal": ["Persoonlijk"],
        "done": ["Klaar", "Afgerond"],
        "in progress": ["Mee bezig", "Bezig"],
        "": ["", "Te doen"],
    },
}
"""The Goals tab's words in other languages (English is :data:`TIER_WORDS`, :data:`STATUS_WORDS`
and the corpus's own headers)."""


def noisy(draw: st.DrawFn, text: str) -> str:
    spaced = draw(st.sampled_from([text, f"  {text}", f"{text} ", text.replace(" ", "  ")]))
    return draw(st.sampled_from([spaced, spaced.upper(), spaced.lower(), spaced.title()]))


@st.composite
def sheets(draw: st.DrawFn) -> list[list]:
    header, *rows = PLAIN
    language = draw(st.sampled_from(["en", *LANGUAGES]))
    words = LANGUAGES.get(language, {})
    tier_words = {tier: words.get(tier, TIER_WORDS[tier]) for tier in TIER_WORDS}
    status_words = {status: words.get(status, STATUS_WORDS[status]) for status in STATUS_WORDS}
    header = words.get("header", header)
    order = draw(st.permutations(range(len(header))))
    sections = draw(st.booleans())
    blocks = not sections and draw(st.booleans())  # member named once, blank down its block
    body: list[list] = []
    keyed = sorted(rows, key=lambda row: ["two-week", "quarterly", "long-term"].index(row[2]))
    ordered = keyed if sections else rows
    current_tier = None
    for position, row in enumerate(ordered):
        row = list(row)
        tier_word = draw(st.sampled_from(tier_words[row[2]]))
        if sections and row[2] != current_tier:
            current_tier = row[2]
            body.append([tier_word])
            row[2] = None
        else:
            row[2] = noisy(draw, tier_word)
        same_block = position > 0 and ordered[position - 1][0] == row[0]
        row[0] = None if blocks and same_block else noisy(draw, row[0])
        row[4] = draw(st.sampled_from(status_words[row[4]]))
        row[3] = draw(st.sampled_from(words.get(row[3], [row[3]])))
        body.append([row[index] for index in order])
        block_ends = (
            position + 1 == len(ordered) or ordered[position + 1][0] != ordered[position][0]
        )
        if block_ends or not blocks:
            body.extend([[]] * draw(st.integers(0, 1)))
    if not blocks:
        for _ in range(draw(st.integers(0, 2))):  # template rows: no goal, only defaults
            slot = [draw(st.sampled_from(["Ada Okonkwo", "Bo Chen"])), None, None, None]
            slot.append(draw(st.sampled_from([False, 0, "FALSE", "0%", None])))
            body.append([slot[index] for index in order])
    if draw(st.booleans()):
        totals = [draw(st.sampled_from(["Total", "TOTAL:", "Average"])), None, None, None, "2"]
        body.extend([[], [totals[index] for index in order]])
    titles = [[draw(st.sampled_from(["PBC Goals 2026", "Our goals", "Updated weekly"]))]]
    top = titles * draw(st.integers(0, 2)) + [[]] * draw(st.integers(0, 2))
    return [*top, [noisy(draw, header[index]) for index in order], *body]


def figures(goals) -> dict:
    found: dict = {}
    for (member, tier), group in goals.groupby(["member", "tier"], observed=True):
        found.setdefault(member, {})[tier] = [len(group), int((group["status"] == "done").sum())]
    return found


@settings(max_examples=60, deadline=None)
@given(sheets())
def test_noise_keeps_the_figures(goals: list[list]) -> None:
    tables = {"Members": RawTable("Members", MEMBERS), "Goals": RawTable("Goals", goals)}
    club = normalize(tables, CONFIG)
    assert club.errors == [], (club.errors, goals)
    assert figures(club.goals) == EXPECTED
