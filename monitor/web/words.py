"""Words of the web pages, in English and Russian.

A contact's pages (from an email link) are in that contact's language; the operators' pages
in the logged-in operator's. What the data says (event messages, problems as `monitor status`
words them, source errors) stays as recorded, like on the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from monitor.notify.i18n import LANGUAGES, human_date

if TYPE_CHECKING:
    from monitor.answers import Recorded, RecordRefused

WORDS: dict[str, dict[str, str]] = {
    "title": {"en": "Court Deadline Monitor", "ru": "Court Deadline Monitor"},
    "case": {"en": "Case", "ru": "Дело"},
    "decision": {"en": "Decision", "ru": "Решение"},
    "deadline": {"en": "Deadline", "ru": "Срок"},
    "date": {"en": "Date", "ru": "Дата"},
    "status": {"en": "Status", "ru": "Статус"},
    "hello": {"en": "Hello, {name}.", "ru": "Здравствуйте, {name}!"},
    "ask.executed": {
        "en": "Record that this decision was carried out, and on which day.",
        "ru": "Отметьте, что решение исполнено, и в какой день.",
    },
    "ask.appealed": {
        "en": "Record that an appeal was lodged against this decision, and on which day.",
        "ru": "Отметьте, что на решение подана жалоба, и в какой день.",
    },
    "ask.ack": {
        "en": "Stop the reminders of this deadline to you. Others keep theirs.",
        "ru": "Больше не присылать вам напоминаний об этом сроке. Остальные получат свои.",
    },
    "ask.stop_case": {
        "en": "Stop every email about this case to you.",
        "ru": "Больше не присылать вам писем по этому делу.",
    },
    "ask.unsubscribe": {
        "en": "Stop these emails to you.",
        "ru": "Больше не присылать вам эти письма.",
    },
    "ask.unsubscribe_all": {
        "en": "Stop every email of the monitor to you.",
        "ru": "Больше не присылать вам писем монитора.",
    },
    "button.executed": {"en": "It was carried out", "ru": "Решение исполнено"},
    "button.appealed": {"en": "An appeal was lodged", "ru": "Подана жалоба"},
    "button.ack": {"en": "Got it, stop reminding me", "ru": "Понятно, больше не напоминать"},
    "button.stop_case": {"en": "Stop emails about this case", "ru": "Отписаться от этого дела"},
    "button.unsubscribe": {"en": "Unsubscribe", "ru": "Отписаться"},
    "on_day": {"en": "On which day", "ru": "В какой день"},
    "nothing_yet": {
        "en": "Nothing is recorded until you press the button.",
        "ru": "Ничего не записывается, пока вы не нажмёте кнопку.",
    },
    "not_recorded": {"en": "Nothing was recorded:", "ru": "Ничего не записано:"},
    "done": {"en": "Recorded. Thank you.", "ru": "Записано. Спасибо."},
    "used": {
        "en": "{name} already used this link on {when} (UTC). It records nothing more.",
        "ru": "{name}: эта ссылка уже использована {when} (UTC). Больше она ничего не записывает.",
    },
    "recorded": {"en": "What was recorded", "ru": "Что записано"},
    "known": {
        "en": "This is already recorded: {fact}. Nothing more to do.",
        "ru": "Это уже записано: {fact}. Больше ничего делать не нужно.",
    },
    "mistake": {
        "en": "A mistake? Write to the operators of the monitor: they can undo it.",
        "ru": "Ошибка? Напишите операторам монитора: они могут это отменить.",
    },
    "my.title": {"en": "My deadlines", "ru": "Мои сроки"},
    "my.none": {
        "en": "You are not subscribed to any case.",
        "ru": "Вы не подписаны ни на одно дело.",
    },
    "my.calendar": {
        "en": "Add these dates to your calendar: subscribe to this address.",
        "ru": "Добавьте эти даты в свой календарь: подпишитесь на этот адрес.",
    },
    "state.cancelled": {"en": "cancelled", "ru": "отменён"},
    "state.executed": {"en": "carried out on {date}", "ru": "исполнено {date}"},
    "state.appealed": {"en": "appealed on {date}", "ru": "обжаловано {date}"},
    "state.acked": {
        "en": "no more reminders of this date to you",
        "ru": "напоминаний об этой дате вам больше не будет",
    },
    "state.ahead": {"en": "ahead", "ru": "впереди"},
    "state.past": {"en": "past", "ru": "прошёл"},
    "kind.appeal_until": {"en": "last day to appeal", "ru": "последний день обжалования"},
    "kind.in_force": {"en": "entry into force", "ru": "вступление в силу"},
    "kind.execution_due": {"en": "execution due", "ru": "срок исполнения"},
    # What a used link recorded, as its page says it.
    "outcome.executed": {
        "en": "{who} recorded that the decision of {date} in the case {title} was carried out on {day}.",
        "ru": "{who}: записано, что решение от {date} по делу «{title}» исполнено {day}.",
    },
    "outcome.appealed": {
        "en": "{who} recorded that an appeal against the decision of {date} in the case {title} was lodged on {day}.",
        "ru": "{who}: записано, что на решение от {date} по делу «{title}» подана жалоба {day}.",
    },
    "outcome.ack": {
        "en": "{who} asked for no more reminders of the {deadline} of the decision of {date} in the case {title}.",
        "ru": "{who}: больше не напоминать о сроке «{deadline}» решения от {date} по делу «{title}».",
    },
    "outcome.unsubscribed_case": {
        "en": "{who} unsubscribed from the case {title}.",
        "ru": "{who}: подписка на дело «{title}» отменена.",
    },
    "outcome.unsubscribed_all": {
        "en": "{who} unsubscribed from every case.",
        "ru": "{who}: подписка на все дела отменена.",
    },
    # Why a fact was not recorded.
    "refused.not_a_date": {
        "en": "{day} is not a date.",
        "ru": "{day} не является датой.",
    },
    "refused.future": {
        "en": "{day} is in the future: record what has happened.",
        "ru": "{day} ещё не наступило: отмечайте то, что уже произошло.",
    },
    "refused.before_decision": {
        "en": "{day} is before the decision of {date}.",
        "ru": "{day} раньше решения от {date}.",
    },
    "refused.appeal_after_execution": {
        "en": "the decision is recorded as carried out on {executed}; an appeal on {day} after it contradicts that. Write to the operators if that is so.",
        "ru": "решение отмечено как исполненное {executed}; жалоба {day}, после исполнения, этому противоречит. Если это так, напишите операторам.",
    },
    "refused.execution_before_appeal": {
        "en": "an appeal is recorded on {appealed}; an execution on {day}, before it, contradicts that. Write to the operators if that is so.",
        "ru": "жалоба отмечена {appealed}; исполнение {day}, до жалобы, этому противоречит. Если это так, напишите операторам.",
    },
    # The operators' pages.
    "op.operators": {
        "en": "Court Deadline Monitor: operators",
        "ru": "Court Deadline Monitor: операторы",
    },
    "op.overview": {"en": "Overview", "ru": "Обзор"},
    "op.outbox": {"en": "Outbox", "ru": "Исходящие"},
    "op.sources": {"en": "Sources", "ru": "Источники"},
    "op.events": {"en": "Events", "ru": "События"},
    "op.logout": {"en": "Log out", "ru": "Выйти"},
    "op.ok": {"en": "OK: the monitor is doing its job.", "ru": "Всё в порядке: монитор работает."},
    "op.problems": {"en": "Problems", "ru": "Проблемы"},
    "op.next_deadlines": {"en": "Next deadlines", "ru": "Ближайшие сроки"},
    "op.none_ahead": {"en": "None ahead.", "ru": "Впереди сроков нет."},
    "op.cases": {"en": "Cases", "ru": "Дела"},
    "op.title": {"en": "Title", "ru": "Название"},
    "op.next_deadline": {"en": "Next deadline", "ru": "Ближайший срок"},
    "op.unsubscribed": {"en": "Unsubscribed", "ru": "Отписались"},
    "op.workers": {"en": "Workers", "ru": "Обработчики"},
    "op.worker": {
        "en": "{name}: {state}, last beat {at}",
        "ru": "{name}: {state}, последний сигнал {at}",
    },
    "op.no_worker": {"en": "none has ever run", "ru": "ни один ещё не запускался"},
    "op.none": {"en": "none", "ru": "нет"},
    "op.archived": {"en": "archived", "ru": "в архиве"},
    "op.kept_in": {
        "en": "The case is kept in {file}: edit it there (in git) and run monitor sync. Here you record facts and retry emails.",
        "ru": "Дело хранится в {file}: меняйте его там (в git) и запускайте monitor sync. Здесь можно отмечать факты и повторять отправку писем.",
    },
    "op.decision": {"en": "Decision {key}", "ru": "Решение {key}"},
    "op.rule": {"en": "rule {rule}, from {origin}", "ru": "правило {rule}, источник: {origin}"},
    "op.source": {"en": "source", "ru": "источник"},
    "op.facts": {"en": "Facts", "ru": "Факты"},
    "op.appealed": {"en": "Appealed", "ru": "Обжаловано"},
    "op.executed": {"en": "Carried out", "ru": "Исполнено"},
    "op.not_recorded": {"en": "not recorded", "ru": "не отмечено"},
    "op.fact": {"en": "Fact", "ru": "Факт"},
    "op.fact.executed": {"en": "carried out on", "ru": "исполнено"},
    "op.fact.appealed": {"en": "appealed on", "ru": "обжаловано"},
    "op.fact.clear-executed": {"en": "clear the execution", "ru": "снять отметку об исполнении"},
    "op.fact.clear-appealed": {"en": "clear the appeal", "ru": "снять отметку о жалобе"},
    "op.day": {"en": "Day", "ru": "День"},
    "op.record": {"en": "Record", "ru": "Записать"},
    "op.deadlines": {"en": "Deadlines", "ru": "Сроки"},
    "op.uncertain": {"en": "uncertain", "ru": "не бесспорно"},
    "op.reported_by": {"en": "Reported by", "ru": "Источники сообщения"},
    "op.snapshot": {"en": "snapshot {id}", "ru": "снимок {id}"},
    "op.seen": {"en": "seen {at}", "ru": "замечено {at}"},
    "op.subscriptions": {"en": "Subscriptions", "ru": "Подписки"},
    "op.as_role": {"en": "as {role}", "ru": "как {role}"},
    "op.unsubscribed_on": {"en": "unsubscribed on {day}", "ru": "отписался(ась) {day}"},
    "op.role.advocate": {"en": "advocate", "ru": "адвокат"},
    "op.role.escalation": {"en": "escalation contact", "ru": "контакт для эскалации"},
    "op.role.operator": {"en": "operator", "ru": "оператор"},
    "op.id": {"en": "id", "ru": "№"},
    "op.case": {"en": "case", "ru": "дело"},
    "op.status": {"en": "status", "ru": "статус"},
    "op.st.pending": {"en": "pending", "ru": "ожидает"},
    "op.st.sending": {"en": "sending", "ru": "отправляется"},
    "op.st.sent": {"en": "sent", "ru": "отправлено"},
    "op.st.failed": {"en": "failed", "ru": "не доставлено"},
    "op.st.cancelled": {"en": "cancelled", "ru": "отменено"},
    "op.st.skipped": {"en": "skipped", "ru": "пропущено"},
    "op.origin.file": {"en": "as written to {path}", "ru": "как записано в {path}"},
    "op.origin.composed": {
        "en": "composed again now from the database (the SMTP server keeps no copy)",
        "ru": "составлено заново из базы данных (SMTP-сервер копий не хранит)",
    },
    "op.due": {"en": "due (UTC)", "ru": "срок (UTC)"},
    "op.kind": {"en": "kind", "ru": "вид"},
    "op.to": {"en": "to", "ru": "кому"},
    "op.subject": {"en": "subject", "ru": "тема"},
    "op.last_error": {"en": "last error", "ru": "последняя ошибка"},
    "op.retry": {"en": "Retry", "ru": "Повторить"},
    "op.at": {"en": "at (UTC)", "ru": "время (UTC)"},
    "op.event": {"en": "event", "ru": "событие"},
    "op.message": {"en": "message", "ru": "сообщение"},
    "op.filter": {"en": "Filter", "ru": "Показать"},
    "op.any": {"en": "any", "ru": "любой"},
    "op.contact": {"en": "Contact", "ru": "Контакт"},
    "op.email": {"en": "Email {id}", "ru": "Письмо {id}"},
    "op.source_col": {"en": "source", "ru": "источник"},
    "op.health": {"en": "health", "ru": "состояние"},
    "op.last_success": {"en": "last success (UTC)", "ru": "последний успех (UTC)"},
    "op.never": {"en": "never", "ru": "никогда"},
    "op.failures": {"en": "failures", "ru": "сбоев"},
    "op.next_poll": {"en": "next poll (UTC)", "ru": "следующий опрос (UTC)"},
    "op.snapshots": {"en": "snapshots", "ru": "снимков"},
    "op.snapshots_of": {"en": "Snapshots of {key}", "ru": "Снимки источника {key}"},
    "op.snapshot_of": {"en": "Snapshot {id} of", "ru": "Снимок {id} источника"},
    "op.fetched": {"en": "fetched (UTC)", "ru": "получен (UTC)"},
    "op.http": {"en": "HTTP", "ru": "HTTP"},
    "op.chars": {"en": "chars", "ru": "символов"},
    "op.cited": {"en": "cited by a decision", "ru": "цитируется в решении"},
    "op.truncated": {"en": "truncated", "ru": "обрезан"},
    "op.yes": {"en": "yes", "ru": "да"},
    "op.no": {"en": "no", "ru": "нет"},
    "op.login_as": {"en": "Log in as {name} <{email}>.", "ru": "Войти как {name} <{email}>."},
    "op.login": {"en": "Log in", "ru": "Войти"},
    "op.login_used": {
        "en": "This login link was already used on {when} (UTC). Ask for a new one.",
        "ru": "Эта ссылка для входа уже использована {when} (UTC). Запросите новую.",
    },
    "login.subject": {
        "en": "Your login link to the Court Deadline Monitor",
        "ru": "Ссылка для входа в Court Deadline Monitor",
    },
    "login.dear": {"en": "Dear {name},", "ru": "Здравствуйте, {name}!"},
    "login.open": {
        "en": "Open this link to log in to the web view of the Court Deadline Monitor. It works once, within 15 minutes:",
        "ru": "Откройте эту ссылку, чтобы войти в веб-интерфейс Court Deadline Monitor. Она действует один раз, в течение 15 минут:",
    },
    "login.ignore": {
        "en": "If you did not ask for it, ignore this email: nothing happens until the link is opened and its button pressed.",
        "ru": "Если вы её не запрашивали, не обращайте внимания на это письмо: ничего не произойдёт, пока ссылку не откроют и не нажмут кнопку.",
    },
    "op.login_again": {"en": "Ask for a new login link", "ru": "Запросить новую ссылку для входа"},
    "error.tampered": {
        "en": "This link is not valid: it may have been cut or changed. Open it from the email again, whole.",
        "ru": "Ссылка недействительна: возможно, она обрезана или изменена. Откройте её из письма целиком.",
    },
    "error.expired": {
        "en": "This link has expired. A newer email from the monitor carries a fresh one.",
        "ru": "Срок действия ссылки истёк. В более новом письме монитора есть новая ссылка.",
    },
    "error.wrong_scope": {
        "en": "This link is for something else: open it as it is in the email.",
        "ru": "Эта ссылка предназначена для другого: откройте её так, как она дана в письме.",
    },
    "error.replaced": {
        "en": 'This calendar address was replaced by a new one. Open "My deadlines" from a recent email for the new address.',
        "ru": "Этот адрес календаря заменён новым. Новый адрес есть на странице «Мои сроки» в недавнем письме.",
    },
    "error.gone.contact": {
        "en": "This link's addressee is no longer in the monitor.",
        "ru": "Адресата этой ссылки больше нет в мониторе.",
    },
    "error.gone.case": {
        "en": "What this link is about is no longer watched: the case was removed from the monitor.",
        "ru": "То, о чём эта ссылка, больше не отслеживается: дело убрано из монитора.",
    },
    "error.gone.decision": {
        "en": "What this link is about is no longer watched: the decision was removed from the monitor.",
        "ru": "То, о чём эта ссылка, больше не отслеживается: решение убрано из монитора.",
    },
    "error.form": {
        "en": "This form has expired or did not come from this page: open the link from the email again.",
        "ru": "Форма устарела или отправлена не с этой страницы: откройте ссылку из письма ещё раз.",
    },
    "error.form_page": {
        "en": "This form has expired or did not come from this page: open the page again and send it from there.",
        "ru": "Форма устарела или отправлена не с этой страницы: откройте страницу заново и отправьте форму оттуда.",
    },
    "error.not_found": {
        "en": "There is nothing at this address: no such page, or what it showed was removed from the monitor.",
        "ru": "По этому адресу ничего нет: такой страницы нет, или то, что она показывала, убрано из монитора.",
    },
    "error.method": {
        "en": "This address does not answer that kind of request: open it from a link or a button of the monitor.",
        "ru": "Этот адрес не принимает такой запрос: откройте его по ссылке или кнопкой монитора.",
    },
    "error.too_large": {
        "en": "What was sent is too large for this form.",
        "ru": "Отправлено слишком много для этой формы.",
    },
    "error.forbidden": {
        "en": "This is for the monitor's operators only.",
        "ru": "Это доступно только операторам монитора.",
    },
    "error.login_flood": {
        "en": "Too many login requests: wait a quarter of an hour and try again.",
        "ru": "Слишком много запросов на вход: подождите четверть часа и попробуйте снова.",
    },
    "error.refused": {
        "en": "This cannot be done: {detail}",
        "ru": "Это сделать нельзя: {detail}",
    },
    "error.http": {
        "en": "The request could not be answered (HTTP {code}).",
        "ru": "На запрос нельзя ответить (HTTP {code}).",
    },
    "error.crash": {
        "en": "Something went wrong on our side; the operators can see it in the log.",
        "ru": "Что-то сломалось у нас; операторы увидят это в журнале.",
    },
    "error.back": {"en": "Back to the overview", "ru": "К обзору"},
}


def words(language: str) -> Callable[..., str]:
    lang = language if language in LANGUAGES else "en"

    def w(key: str, /, **values: Any) -> str:
        entry = WORDS[key]
        return (entry.get(lang) or entry["en"]).format(**values)

    return w


def recorded_words(recorded: Recorded, language: str) -> str | None:
    """What a used link recorded, in ``language``; None for English (the sentence stored
    with the use says it in full, as the operators' alert does) and when the day is lost."""
    if language not in LANGUAGES or language == "en":
        return None
    w, day = words(language), day_words(language)
    title = recorded.case_title or ""
    decided = day(recorded.decision_date) if recorded.decision_date else ""
    if recorded.action in ("executed", "appealed"):
        if recorded.day is None:
            return None
        return w(
            f"outcome.{recorded.action}",
            who=recorded.who,
            date=decided,
            title=title,
            day=day(recorded.day),
        )
    if recorded.action == "ack":
        deadline = w(f"kind.{recorded.deadline_kind}")
        return w("outcome.ack", who=recorded.who, deadline=deadline, date=decided, title=title)
    if recorded.case_title is not None:
        return w("outcome.unsubscribed_case", who=recorded.who, title=title)
    return w("outcome.unsubscribed_all", who=recorded.who)


def refused_words(refused: RecordRefused, language: str) -> str:
    """Why a fact was not recorded, in ``language``."""
    day = day_words(language)
    values = {k: day(v) if isinstance(v, date) else v for k, v in refused.values.items()}
    return words(language)(f"refused.{refused.reason}", **values)


def day_words(language: str) -> Callable[..., str]:
    lang = language if language in LANGUAGES else "en"
    return lambda day: human_date(day, lang)
