"""Words of the pages a contact opens from an email, in English and Russian.

The operators' pages are in English, like the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from monitor.notify.i18n import LANGUAGES, human_date

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
        "en": "This link was already used on {when} (UTC) by {name}. It records nothing more.",
        "ru": "Эта ссылка уже использована {when} (UTC), {name}. Больше она ничего не записывает.",
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
    "error.gone": {
        "en": "What this link is about is no longer watched: {detail}.",
        "ru": "То, о чём эта ссылка, больше не отслеживается: {detail}.",
    },
    "error.form": {
        "en": "This form has expired or did not come from this page: open the link from the email again.",
        "ru": "Форма устарела или отправлена не с этой страницы: откройте ссылку из письма ещё раз.",
    },
}


def words(language: str) -> Callable[..., str]:
    lang = language if language in LANGUAGES else "en"

    def w(key: str, **values: Any) -> str:
        entry = WORDS[key]
        return (entry.get(lang) or entry["en"]).format(**values)

    return w


def day_words(language: str) -> Callable[..., str]:
    lang = language if language in LANGUAGES else "en"
    return lambda day: human_date(day, lang)
