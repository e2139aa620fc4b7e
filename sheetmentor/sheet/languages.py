"""The words of club sheets kept in Spanish, French, German, Portuguese, Italian and Dutch.

Data only: per language, the tab names, each field's header aliases and the words of each
vocabulary (tiers, categories, statuses, members' status, meetings' status), in the same shape
as the English words of :mod:`sheetmentor.sheet.vocabulary`, which adds them to the English ones
for a sheet in that language (``club.language``, or detected from the sheet). Accents do not
count when words compare ("Concluido" is "Concluído"), so each word is listed once, as written.
"""

from __future__ import annotations

from collections.abc import Sequence

Words = dict[str, dict[str, Sequence[str]]]

LANGUAGES: dict[str, dict[str, Words]] = {
    "es": {
        "tabs": {
            "members": ["miembros", "integrantes", "participantes", "socios"],
            "goals": ["metas", "objetivos"],
            "meetings": ["reuniones", "sesiones", "encuentros"],
        },
        "members": {
            "name": ["nombre", "nombre completo", "miembro", "persona", "participante"],
            "email": ["correo", "correo electrónico", "email", "e-mail"],
            "active": ["activo", "activa", "¿activo?", "estado"],
            "focus": ["enfoque", "área de enfoque"],
            "joined": ["fecha de ingreso", "desde", "alta", "miembro desde"],
        },
        "goals": {
            "member": ["miembro", "nombre", "quién", "persona", "responsable", "participante"],
            "goal": ["meta", "objetivo", "descripción", "tarea", "compromiso"],
            "tier": ["plazo", "horizonte", "tipo", "nivel", "tipo de meta"],
            "category": ["categoría", "área", "ámbito"],
            "status": ["estado", "¿hecho?", "¿hecha?"],
            "progress": ["progreso", "avance", "% completado", "porcentaje"],
            "set": ["fecha de inicio", "creada", "inicio", "fijada"],
            "due": ["fecha límite", "vence", "vencimiento", "fecha objetivo"],
            "completed": ["completada el", "fecha de finalización", "terminada el"],
            "notes": ["notas", "comentarios", "observaciones"],
            "id": ["nº", "número", "n.º"],
        },
        "meetings": {
            "date": ["fecha", "reunión", "fecha de reunión"],
            "location": ["lugar", "sala", "ubicación"],
            "facilitator": ["facilitador", "facilitadora", "moderador", "moderadora"],
            "attended": ["asistentes", "asistencia", "presentes"],
            "notes": ["notas", "acta", "resumen"],
            "status": ["estado", "¿se celebró?"],
        },
        "tier": {
            "two-week": ["dos semanas", "2 semanas", "quincenal", "quincenales",
                         "próximas 2 semanas", "quincena"],
            "quarterly": ["trimestral", "trimestrales", "trimestre", "3 meses", "90 días",
                          "este trimestre", "corto plazo", "mediano plazo", "medio plazo"],
            "long-term": ["largo plazo", "anual", "anuales", "1 año", "un año", "este año",
                          "12 meses", "año"],
        },
        "category": {
            "professional": ["profesional", "trabajo", "carrera", "laboral"],
            "personal": ["personal", "vida", "salud", "familia"],
        },
        "status": {
            "done": ["hecho", "hecha", "terminado", "terminada", "completado", "completada",
                     "cumplido", "cumplida", "logrado", "lograda", "sí", "listo", "lista",
                     "finalizado", "finalizada"],
            "open": ["pendiente", "en curso", "en progreso", "no iniciado", "sin empezar",
                     "por hacer", "no", "abierto", "abierta", "bloqueado", "en espera",
                     "atrasado", "parcial", "no hecho"],
            "dropped": ["abandonado", "abandonada", "cancelado", "cancelada", "descartado",
                        "descartada"],
        },
        "active": {
            "yes": ["sí", "activo", "activa"],
            "no": ["no", "inactivo", "inactiva", "baja", "de baja", "en pausa", "ex miembro"],
        },
        "meeting": {
            "held": ["celebrada", "realizada", "hecha", "sí"],
            "skipped": ["cancelada", "suspendida", "no hubo"],
        },
    },
    "fr": {
        "tabs": {
            "members": ["membres", "participants", "équipe"],
            "goals": ["objectifs", "buts"],
            "meetings": ["réunions", "séances", "rencontres"],
        },
        "members": {
            "name": ["nom", "nom complet", "membre", "participant", "prénom nom"],
            "email": ["courriel", "e-mail", "email", "adresse e-mail", "mail"],
            "active": ["actif", "active", "statut", "actif ?"],
            "focus": ["axe", "centre d'intérêt"],
            "joined": ["inscrit le", "depuis", "date d'arrivée", "membre depuis"],
        },
        "goals": {
            "member": ["membre", "nom", "qui", "participant", "personne", "responsable"],
            "goal": ["objectif", "but", "description", "engagement", "tâche"],
            "tier": ["horizon", "terme", "durée", "type", "niveau"],
            "category": ["catégorie", "domaine"],
            "status": ["statut", "état", "fait ?"],
            "progress": ["progression", "avancement", "% fait", "pourcentage"],
            "set": ["fixé le", "date de début", "créé le", "début"],
            "due": ["échéance", "date limite", "pour le", "date cible"],
            "completed": ["terminé le", "fait le", "date de fin"],
            "notes": ["notes", "commentaires", "remarques"],
            "id": ["n°", "numéro"],
        },
        "meetings": {
            "date": ["date", "réunion", "date de réunion"],
            "location": ["lieu", "salle"],
            "facilitator": ["animateur", "animatrice", "facilitateur", "facilitatrice", "hôte"],
            "attended": ["présents", "participants", "présence"],
            "notes": ["notes", "compte rendu", "résumé"],
            "status": ["statut", "état", "tenue"],
        },
        "tier": {
            "two-week": ["2 semaines", "deux semaines", "quinzaine", "prochaines 2 semaines",
                         "à 2 semaines", "à deux semaines"],
            "quarterly": ["trimestriel", "trimestrielle", "trimestriels", "trimestre", "3 mois",
                          "90 jours", "ce trimestre", "court terme", "moyen terme"],
            "long-term": ["long terme", "à long terme", "annuel", "annuelle", "annuels", "1 an",
                          "un an", "cette année", "12 mois", "année"],
        },
        "category": {
            "professional": ["professionnel", "professionnelle", "travail", "carrière"],
            "personal": ["personnel", "personnelle", "perso", "vie", "santé", "famille"],
        },
        "status": {
            "done": ["fait", "faite", "terminé", "terminée", "fini", "finie", "accompli",
                     "accomplie", "réalisé", "réalisée", "atteint", "oui", "complété"],
            "open": ["en cours", "à faire", "pas commencé", "non commencé", "non", "ouvert",
                     "en attente", "bloqué", "en retard", "partiel", "pas fait", "non fait"],
            "dropped": ["abandonné", "abandonnée", "annulé", "annulée"],
        },
        "active": {
            "yes": ["oui", "actif", "active"],
            "no": ["non", "inactif", "inactive", "parti", "partie", "en pause", "ancien",
                   "ancienne", "en congé"],
        },
        "meeting": {
            "held": ["tenue", "faite", "oui", "a eu lieu"],
            "skipped": ["annulée", "annulé", "pas de réunion", "reportée"],
        },
    },
    "de": {
        "tabs": {
            "members": ["mitglieder", "teilnehmer", "teilnehmende"],
            "goals": ["ziele"],
            "meetings": ["treffen", "termine", "sitzungen"],
        },
        "members": {
            "name": ["name", "vollständiger name", "mitglied", "person", "teilnehmer"],
            "email": ["e-mail", "email", "mail", "e-mail-adresse"],
            "active": ["aktiv", "aktiv?", "status"],
            "focus": ["schwerpunkt", "fokus"],
            "joined": ["beigetreten", "seit", "eintritt", "mitglied seit"],
        },
        "goals": {
            "member": ["mitglied", "name", "wer", "person", "teilnehmer", "verantwortlich"],
            "goal": ["ziel", "beschreibung", "vorhaben", "aufgabe"],
            "tier": ["zeitraum", "horizont", "zeithorizont", "art", "typ"],
            "category": ["kategorie", "bereich"],
            "status": ["status", "stand", "erledigt?"],
            "progress": ["fortschritt", "% erledigt", "prozent"],
            "set": ["gesetzt am", "erstellt", "beginn"],
            "due": ["fällig", "fällig am", "frist", "bis", "zieldatum"],
            "completed": ["erledigt am", "abgeschlossen am"],
            "notes": ["notizen", "anmerkungen", "kommentare", "bemerkungen"],
            "id": ["nr", "nummer"],
        },
        "meetings": {
            "date": ["datum", "treffen", "termin"],
            "location": ["ort", "raum"],
            "facilitator": ["moderation", "moderator", "moderatorin", "gastgeber", "leitung"],
            "attended": ["anwesend", "anwesenheit", "teilnehmer"],
            "notes": ["notizen", "protokoll", "zusammenfassung"],
            "status": ["status", "stattgefunden"],
        },
        "tier": {
            "two-week": ["zwei wochen", "2 wochen", "zweiwöchentlich", "zweiwöchig", "14 tage",
                         "14-tägig", "nächste 2 wochen"],
            "quarterly": ["quartal", "quartalsweise", "vierteljährlich", "3 monate", "90 tage",
                          "dieses quartal", "kurzfristig", "mittelfristig", "quartalsziele"],
            "long-term": ["langfristig", "jährlich", "jahr", "1 jahr", "jahresziel",
                          "jahresziele", "dieses jahr", "12 monate"],
        },
        "category": {
            "professional": ["beruflich", "beruf", "arbeit", "karriere"],
            "personal": ["persönlich", "privat", "leben", "gesundheit", "familie"],
        },
        "status": {
            "done": ["erledigt", "fertig", "abgeschlossen", "erreicht", "ja", "geschafft"],
            "open": ["offen", "in arbeit", "in bearbeitung", "läuft", "nicht begonnen",
                     "geplant", "nein", "blockiert", "wartend", "teilweise", "verspätet"],
            "dropped": ["verworfen", "abgebrochen", "aufgegeben", "gestrichen", "abgesagt"],
        },
        "active": {
            "yes": ["ja", "aktiv"],
            "no": ["nein", "inaktiv", "ausgetreten", "pausiert", "pause", "ehemalig",
                   "beurlaubt"],
        },
        "meeting": {
            "held": ["stattgefunden", "ja", "gehalten"],
            "skipped": ["ausgefallen", "abgesagt", "kein treffen"],
        },
    },
    "pt": {
        "tabs": {
            "members": ["membros", "participantes", "integrantes"],
            "goals": ["metas", "objetivos"],
            "meetings": ["reuniões", "encontros"],
        },
        "members": {
            "name": ["nome", "nome completo", "membro", "pessoa", "participante"],
            "email": ["e-mail", "email", "correio eletrônico"],
            "active": ["ativo", "ativa", "ativo?", "situação"],
            "focus": ["foco"],
            "joined": ["entrou em", "desde", "data de entrada", "membro desde"],
        },
        "goals": {
            "member": ["membro", "nome", "quem", "pessoa", "responsável", "participante"],
            "goal": ["meta", "objetivo", "descrição", "tarefa", "compromisso"],
            "tier": ["prazo", "horizonte", "tipo", "tipo de meta"],
            "category": ["categoria", "área"],
            "status": ["situação", "estado", "feito?"],
            "progress": ["progresso", "andamento", "% concluído", "percentual"],
            "set": ["definida em", "data de início", "início", "criada"],
            "due": ["data limite", "vencimento", "até", "prazo final"],
            "completed": ["concluída em", "data de conclusão"],
            "notes": ["notas", "observações", "comentários"],
            "id": ["nº", "número"],
        },
        "meetings": {
            "date": ["data", "reunião", "data da reunião"],
            "location": ["local", "sala"],
            "facilitator": ["facilitador", "facilitadora", "mediador", "mediadora"],
            "attended": ["presentes", "presença", "participantes"],
            "notes": ["notas", "ata", "resumo"],
            "status": ["situação", "realizada?"],
        },
        "tier": {
            "two-week": ["quinzenal", "quinzenais", "duas semanas", "2 semanas",
                         "próximas 2 semanas", "quinzena"],
            "quarterly": ["trimestral", "trimestrais", "trimestre", "3 meses", "90 dias",
                          "este trimestre", "curto prazo", "médio prazo"],
            "long-term": ["longo prazo", "anual", "anuais", "1 ano", "um ano", "este ano",
                          "12 meses", "ano"],
        },
        "category": {
            "professional": ["profissional", "trabalho", "carreira"],
            "personal": ["pessoal", "vida", "saúde", "família"],
        },
        "status": {
            "done": ["concluído", "concluída", "feito", "feita", "completo", "completa",
                     "finalizado", "finalizada", "atingido", "alcançado", "sim", "pronto"],
            "open": ["em andamento", "em progresso", "pendente", "não iniciado", "a fazer",
                     "não", "aberto", "bloqueado", "atrasado", "parcial", "aguardando"],
            "dropped": ["abandonado", "abandonada", "cancelado", "cancelada", "descartado",
                        "descartada"],
        },
        "active": {
            "yes": ["sim", "ativo", "ativa"],
            "no": ["não", "inativo", "inativa", "saiu", "pausado", "ex-membro", "afastado"],
        },
        "meeting": {
            "held": ["realizada", "sim", "aconteceu"],
            "skipped": ["cancelada", "não houve", "adiada"],
        },
    },
    "it": {
        "tabs": {
            "members": ["membri", "partecipanti", "iscritti"],
            "goals": ["obiettivi", "traguardi"],
            "meetings": ["riunioni", "incontri"],
        },
        "members": {
            "name": ["nome", "nome e cognome", "membro", "persona", "partecipante"],
            "email": ["email", "e-mail", "posta elettronica"],
            "active": ["attivo", "attiva", "stato"],
            "focus": ["area di interesse"],
            "joined": ["iscritto dal", "dal", "data di ingresso"],
        },
        "goals": {
            "member": ["membro", "nome", "chi", "persona", "responsabile", "partecipante"],
            "goal": ["obiettivo", "descrizione", "impegno", "attività", "traguardo"],
            "tier": ["orizzonte", "termine", "tipo", "periodo"],
            "category": ["categoria", "ambito", "area"],
            "status": ["stato", "fatto?"],
            "progress": ["progresso", "avanzamento", "% completato", "percentuale"],
            "set": ["fissato il", "data di inizio", "inizio", "creato"],
            "due": ["scadenza", "entro", "data obiettivo"],
            "completed": ["completato il", "data di completamento"],
            "notes": ["note", "commenti", "osservazioni"],
            "id": ["n.", "numero"],
        },
        "meetings": {
            "date": ["data", "riunione", "data riunione"],
            "location": ["luogo", "sala"],
            "facilitator": ["facilitatore", "facilitatrice", "moderatore", "conduttore"],
            "attended": ["presenti", "presenze", "partecipanti"],
            "notes": ["note", "verbale", "riassunto"],
            "status": ["stato", "tenuta"],
        },
        "tier": {
            "two-week": ["due settimane", "2 settimane", "quindicinale", "quindicinali",
                         "bisettimanale", "prossime 2 settimane"],
            "quarterly": ["trimestrale", "trimestrali", "trimestre", "3 mesi", "90 giorni",
                          "questo trimestre", "breve termine", "medio termine"],
            "long-term": ["lungo termine", "annuale", "annuali", "1 anno", "un anno",
                          "quest'anno", "12 mesi", "anno"],
        },
        "category": {
            "professional": ["professionale", "lavoro", "carriera"],
            "personal": ["personale", "vita", "salute", "famiglia"],
        },
        "status": {
            "done": ["fatto", "fatta", "completato", "completata", "finito", "finita",
                     "raggiunto", "raggiunta", "sì", "concluso", "conclusa"],
            "open": ["in corso", "da fare", "non iniziato", "no", "aperto", "in attesa",
                     "bloccato", "in ritardo", "parziale", "non fatto"],
            "dropped": ["abbandonato", "abbandonata", "annullato", "annullata", "scartato"],
        },
        "active": {
            "yes": ["sì", "attivo", "attiva"],
            "no": ["no", "inattivo", "inattiva", "uscito", "uscita", "in pausa", "ex membro"],
        },
        "meeting": {
            "held": ["tenuta", "svolta", "sì"],
            "skipped": ["annullata", "saltata", "rinviata"],
        },
    },
    "nl": {
        "tabs": {
            "members": ["leden", "deelnemers"],
            "goals": ["doelen", "doelstellingen"],
            "meetings": ["bijeenkomsten", "vergaderingen", "sessies"],
        },
        "members": {
            "name": ["naam", "volledige naam", "lid", "persoon", "deelnemer"],
            "email": ["e-mail", "email", "mail", "e-mailadres"],
            "active": ["actief", "actief?", "status"],
            "focus": ["focus"],
            "joined": ["lid sinds", "sinds", "aangesloten"],
        },
        "goals": {
            "member": ["lid", "naam", "wie", "persoon", "deelnemer", "eigenaar"],
            "goal": ["doel", "omschrijving", "beschrijving", "taak", "doelstelling"],
            "tier": ["termijn", "horizon", "type", "periode"],
            "category": ["categorie", "gebied"],
            "status": ["status", "stand", "klaar?"],
            "progress": ["voortgang", "% klaar", "percentage"],
            "set": ["gesteld op", "startdatum", "aangemaakt"],
            "due": ["deadline", "uiterlijk", "einddatum", "vervaldatum"],
            "completed": ["afgerond op", "klaar op"],
            "notes": ["notities", "opmerkingen", "aantekeningen"],
            "id": ["nr", "nummer"],
        },
        "meetings": {
            "date": ["datum", "bijeenkomst", "vergadering"],
            "location": ["locatie", "plaats", "ruimte"],
            "facilitator": ["gespreksleider", "voorzitter", "gastheer", "gastvrouw"],
            "attended": ["aanwezig", "aanwezigen", "aanwezigheid"],
            "notes": ["notities", "notulen", "samenvatting"],
            "status": ["status", "gehouden"],
        },
        "tier": {
            "two-week": ["twee weken", "2 weken", "tweewekelijks", "komende 2 weken"],
            "quarterly": ["kwartaal", "per kwartaal", "3 maanden", "90 dagen", "dit kwartaal",
                          "korte termijn", "middellange termijn", "kwartaaldoelen"],
            "long-term": ["lange termijn", "jaarlijks", "jaar", "1 jaar", "dit jaar",
                          "12 maanden", "jaardoelen"],
        },
        "category": {
            "professional": ["professioneel", "werk", "carrière", "zakelijk"],
            "personal": ["persoonlijk", "privé", "leven", "gezondheid", "gezin"],
        },
        "status": {
            "done": ["klaar", "gedaan", "afgerond", "voltooid", "behaald", "bereikt", "ja"],
            "open": ["bezig", "mee bezig", "in uitvoering", "nog niet begonnen", "te doen",
                     "nee", "geblokkeerd", "wacht", "gedeeltelijk", "achter"],
            "dropped": ["geschrapt", "gestopt", "afgebroken", "laten vallen", "geannuleerd"],
        },
        "active": {
            "yes": ["ja", "actief"],
            "no": ["nee", "inactief", "gestopt", "gepauzeerd", "oud-lid", "vertrokken"],
        },
        "meeting": {
            "held": ["gehouden", "ja", "doorgegaan"],
            "skipped": ["afgelast", "geannuleerd", "vervallen", "geen bijeenkomst"],
        },
    },
}  # fmt: skip
"""Language (a BCP 47 primary subtag) → the words of its sheets, by kind."""

GOAL_WORDS = ("metas?", "objetivos?", "objectifs?", "ziele?", "obiettivi?", "doelen",
              "doelstellingen")  # fmt: skip
"""The word "goal(s)" in these languages, left out of a header when its meaning is read
("Metas trimestrales" is "trimestrales")."""
