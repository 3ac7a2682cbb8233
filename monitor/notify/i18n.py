"""Words of the emails in English and Russian, and dates the way each language writes them.

Templates call ``t("key", n=3, date=...)``. A phrase is a format string, or a tuple of plural
forms (English: one, other; Russian: one, few, many). What ``t`` returns is plain text: the
HTML templates escape it like any other value, so names from config or text from the web
can never turn into markup.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from monitor.deadlines.words import day_words, plural_index

LANGUAGES = ("en", "ru")

PHRASES: dict[str, dict[str, str | tuple[str, ...]]] = {
    # Subjects.
    "subject.in_force_reminder": {
        "en": "Decision comes into force {when}: {date}",
        "ru": "Решение вступает в силу {when}: {date}",
    },
    "subject.appeal_reminder": {
        "en": "Last day to appeal {when}: {date}",
        "ru": "Последний день обжалования {when}: {date}",
    },
    "subject.confirm_execution": {
        "en": "Has the decision been carried out? In force since {date}",
        "ru": "Решение исполнено? В силе с {date}",
    },
    "subject.execution_escalation": {
        "en": "Execution not confirmed: due by {date}",
        "ru": "Исполнение не подтверждено: срок {date}",
    },
    "subject.alerts": {
        "en": ("{n} alert", "{n} alerts"),
        "ru": ("{n} оповещение", "{n} оповещения", "{n} оповещений"),
    },
    "subject.digest": {
        "en": "Daily digest for {date}: {items}",
        "ru": "Сводка за {date}: {items}",
    },
    "subject.test": {
        "en": "Test email from the Court Deadline Monitor",
        "ru": "Проверочное письмо Court Deadline Monitor",
    },
    "late": {"en": "[late] ", "ru": "[с опозданием] "},
    "items": {"en": ("{n} item", "{n} items"), "ru": ("{n} пункт", "{n} пункта", "{n} пунктов")},
    # "When" words.
    "when.today": {"en": "today", "ru": "сегодня"},
    "when.tomorrow": {"en": "tomorrow", "ru": "завтра"},
    "when.days": {
        "en": ("in {n} day", "in {n} days"),
        "ru": ("через {n} день", "через {n} дня", "через {n} дней"),
    },
    # Headlines (first line of the body).
    "headline.in_force_reminder": {
        "en": "The decision in the case {title} comes into force {when}, on {date}.",
        "ru": "Решение по делу «{title}» вступает в силу {when}, {date}.",
    },
    "headline.appeal_reminder": {
        "en": "The last day to appeal the decision in the case {title} is {when}, {date}.",
        "ru": "Последний день обжалования решения по делу «{title}»: {when}, {date}.",
    },
    "headline.confirm_execution": {
        "en": "The decision in the case {title} has been in force since {date}. Has it been carried out?",
        "ru": "Решение по делу «{title}» в силе с {date}. Исполнено ли оно?",
    },
    "headline.execution_escalation": {
        "en": "Nobody has confirmed that the decision in the case {title} was carried out. It was due by {date}.",
        "ru": "Никто не подтвердил исполнение решения по делу «{title}». Срок исполнения: {date}.",
    },
    # What the reader may want to do.
    "todo.in_force_reminder": {
        "en": "Prepare for the day: check that the authorities are ready to carry out the decision, and tell the operators if an appeal is lodged.",
        "ru": "Подготовьтесь к этому дню: проверьте, готовы ли власти исполнить решение, и сообщите операторам, если подана жалоба.",
    },
    "todo.appeal_reminder": {
        "en": "If the decision is to be appealed, the appeal must be lodged by the end of this day.",
        "ru": "Если решение будет обжаловано, жалобу нужно подать до конца этого дня.",
    },
    "todo.confirm_execution": {
        "en": "Please tell the operators below whether the decision has been carried out (for a release: whether the person is free).",
        "ru": "Сообщите, пожалуйста, операторам, указанным ниже, исполнено ли решение (для освобождения: на свободе ли человек).",
    },
    "todo.execution_escalation": {
        "en": "Find out whether the decision has been carried out and, if it has not, raise it with the authorities and the public.",
        "ru": "Выясните, исполнено ли решение, и если нет, обратитесь к властям и общественности.",
    },
    # Labels.
    "label.case": {"en": "Case", "ru": "Дело"},
    "label.decision": {"en": "Decision", "ru": "Решение"},
    "label.court": {"en": "Court", "ru": "Суд"},
    "label.decided_on": {"en": "Pronounced", "ru": "Оглашено"},
    "label.deadline": {"en": "Deadline", "ru": "Срок"},
    "label.how": {"en": "How this date was computed", "ru": "Как вычислена дата"},
    "label.how_english": {
        "en": "How this date was computed",
        "ru": "Как вычислена дата (на английском)",
    },
    "label.uncertain": {
        "en": "This date rests on a reading of the law that is not certain: see the explanation.",
        "ru": "Эта дата основана на толковании закона, которое не является бесспорным: см. пояснение.",
    },
    "label.source": {"en": "Source", "ru": "Источник"},
    "label.quote": {"en": "Quote", "ru": "Цитата"},
    "label.todo": {"en": "What you may want to do", "ru": "Что можно сделать"},
    "label.late.added": {
        "en": "This reminder is late: it was due at {due}, before it could be planned (the decision or the subscription was added after that time).",
        "ru": "Это напоминание запоздало: его нужно было отправить {due}, но тогда его ещё нельзя было запланировать (решение или подписка добавлены позже).",
    },
    "label.late.retried": {
        "en": "This reminder is late: it was due at {due}; the mail server did not take it then, and it was sent again.",
        "ru": "Это напоминание запоздало: его нужно было отправить {due}; почтовый сервер тогда его не принял, и оно отправлено повторно.",
    },
    "label.late.down": {
        "en": "This reminder is late: it was due at {due}, while the monitor was not running.",
        "ru": "Это напоминание запоздало: его нужно было отправить {due}, когда монитор не работал.",
    },
    "label.calendar": {
        "en": "A calendar entry for this date is attached.",
        "ru": "Событие для календаря во вложении.",
    },
    "label.greeting": {"en": "Dear {name},", "ru": "Здравствуйте, {name}!"},
    "label.alerts": {"en": "What happened", "ru": "Что произошло"},
    "label.digest": {"en": "Due today", "ru": "На сегодня"},
    "label.test": {
        "en": "This is a test email: if you read it, the monitor can reach you.",
        "ru": "Это проверочное письмо: если вы его читаете, монитор может до вас дописаться.",
    },
    "footer.why": {
        "en": "You receive this email because you are subscribed to the case {title} as {role} in the Court Deadline Monitor.",
        "ru": "Вы получаете это письмо, потому что подписаны на дело «{title}» как {role} в Court Deadline Monitor.",
    },
    "footer.why_general": {
        "en": "You receive this email because you are a contact of the Court Deadline Monitor.",
        "ru": "Вы получаете это письмо как контакт Court Deadline Monitor.",
    },
    "footer.stop": {
        "en": "To stop these emails or change them, write to {operators}.",
        "ru": "Чтобы отписаться или изменить рассылку, напишите {operators}.",
    },
    "footer.stop_link": {
        "en": "To stop these emails, open {url} and confirm.",
        "ru": "Чтобы отписаться, откройте {url} и подтвердите.",
    },
    "footer.stop_label": {"en": "Stop these emails", "ru": "Отписаться от этих писем"},
    "footer.change": {
        "en": "To change them, write to {operators}.",
        "ru": "Чтобы изменить рассылку, напишите {operators}.",
    },
    "footer.stop_nobody": {
        "en": "To stop these emails, write to the people who run this monitor.",
        "ru": "Чтобы отписаться, напишите тем, кто ведёт этот монитор.",
    },
    "role.advocate": {"en": "advocate", "ru": "адвокат"},
    "role.escalation": {"en": "escalation contact", "ru": "контакт для эскалации"},
    "role.operator": {"en": "operator", "ru": "оператор"},
    "deadline.appeal_until": {"en": "last day to appeal", "ru": "последний день обжалования"},
    "deadline.in_force": {"en": "entry into force", "ru": "вступление в силу"},
    "deadline.execution_due": {"en": "execution due", "ru": "срок исполнения"},
    "alert.decision_found": {"en": "New decision found", "ru": "Найдено новое решение"},
    "alert.fact_recorded": {"en": "Fact recorded", "ru": "Факт записан"},
    "alert.config_broken": {"en": "Config is broken", "ru": "Настройки с ошибками"},
    "what.config_broken": {
        "en": "The config on disk was changed and is broken: nothing of the change was applied, and the monitor goes on with the last good config.",
        "ru": "Настройки на диске изменены и содержат ошибки: изменения не применены, монитор работает с последними верными настройками.",
    },
    "do.config_broken": {
        "en": "Run monitor config check, fix every problem it names (file, line, key), and the worker picks the fix up within minutes.",
        "ru": "Запустите monitor config check, исправьте все названные ошибки (файл, строка, ключ), и монитор подхватит исправление в течение нескольких минут.",
    },
    # What happened, in words, per alert kind.
    "what.decision_found": {
        "en": "A source reports a new decision in the case {title}.",
        "ru": "Источник сообщает о новом решении по делу «{title}».",
    },
    "what.decision_changed": {
        "en": "The decision of {date} in the case {title} has changed; its deadlines were computed again.",
        "ru": "Решение от {date} по делу «{title}» изменилось; его сроки пересчитаны.",
    },
    "what.deadline_moved": {
        "en": "A deadline of the decision of {date} in the case {title} has moved: {deadline}, {change}.",
        "ru": "Изменился срок по решению от {date} по делу «{title}»: {deadline}, {change}.",
    },
    "what.moved": {"en": "from {old} to {new}", "ru": "был {old}, теперь {new}"},
    "what.added": {"en": "now {new}", "ru": "теперь {new}"},
    "what.removed": {"en": "no longer {old}", "ru": "больше не {old}"},
    "what.conflict": {
        "en": "Sources disagree about the decision in the case {title}: a source gives another date than the one recorded. Nothing was changed.",
        "ru": "Источники расходятся в данных о решении по делу «{title}»: источник называет другую дату, чем записанная. Ничего не изменено.",
    },
    "what.source_down": {
        "en": "The source {url} could not be read several times in a row.",
        "ru": "Источник {url} несколько раз подряд не удалось прочитать.",
    },
    "what.source_recovered": {
        "en": "The source {url} can be read again.",
        "ru": "Источник {url} снова читается.",
    },
    "what.source_broken": {
        "en": "The source {url} answers, but no longer looks as expected: the site may have been redesigned.",
        "ru": "Источник {url} отвечает, но выглядит не так, как ожидалось: возможно, сайт переделан.",
    },
    "what.delivery_failed": {
        "en": "An email from the monitor could not be delivered.",
        "ru": "Письмо монитора не удалось доставить.",
    },
    "what.reminders_skipped": {
        "en": "Reminders were not sent because their deadlines passed while no worker was running.",
        "ru": "Напоминания не отправлены: их сроки прошли, пока монитор не работал.",
    },
    "what.fact_recorded": {
        "en": "Recorded for the decision of {date} in the case {title}: {fact} on {day}. Reminders that no longer make sense are stopped.",
        "ru": "Для решения от {date} по делу «{title}» записано: {fact} {day}. Ненужные теперь напоминания остановлены.",
    },
    "what.recorded_from_email": {
        "en": "{who} recorded, from a link in an email, that the decision of {date} in the case {title} was {fact} on {day}. Reminders that no longer make sense are stopped.",
        "ru": "{who} по ссылке из письма записал(а): решение от {date} по делу «{title}» — {fact} {day}. Ненужные теперь напоминания остановлены.",
    },
    "what.deadline_acknowledged": {
        "en": "{who} asked, from a link in an email, for no more reminders of {deadline} of the decision of {date} in the case {title}.",
        "ru": "{who} по ссылке из письма попросил(а) больше не напоминать о сроке «{deadline}» решения от {date} по делу «{title}».",
    },
    "what.unsubscribed": {
        "en": "{who} unsubscribed, from a link in an email, and gets no more emails about the case {title}. The config still lists them; sync will not subscribe them again.",
        "ru": "{who} отписался(ась) по ссылке из письма и больше не получает писем по делу «{title}». В настройках контакт остаётся; синхронизация не подпишет его снова.",
    },
    "do.recorded_from_email": {
        "en": "Check that it is right; if not, undo it (monitor record CASE --clear-executed or --clear-appealed, or in the web view).",
        "ru": "Проверьте, верно ли это; если нет, отмените (monitor record ДЕЛО --clear-executed или --clear-appealed, или в веб-интерфейсе).",
    },
    "do.deadline_acknowledged": {
        "en": "Nothing: the other contacts still get their reminders.",
        "ru": "Ничего: остальные контакты по-прежнему получают напоминания.",
    },
    "do.unsubscribed": {
        "en": "If someone else should follow the case, subscribe them in the config.",
        "ru": "Если делом должен следить кто-то другой, подпишите его в настройках.",
    },
    "what.other": {
        "en": "Something happened in the case {title}.",
        "ru": "Событие по делу «{title}».",
    },
    "fact.appealed": {"en": "appealed", "ru": "обжаловано"},
    "fact.executed": {"en": "carried out", "ru": "исполнено"},
    # What the reader may want to do, per alert kind.
    "do.decision_found": {
        "en": "Check the decision against the source. The deadlines below follow from it, and reminders will come before each; if the decision or its date is wrong, tell the operators.",
        "ru": "Сверьте решение с источником. Сроки ниже следуют из него, и перед каждым придёт напоминание; если решение или его дата указаны неверно, сообщите операторам.",
    },
    "do.decision_changed": {
        "en": "Check the dates below: reminders and calendar entries follow them.",
        "ru": "Проверьте даты ниже: напоминания и события календаря следуют им.",
    },
    "do.deadline_moved": {
        "en": "Check the new date: reminders and calendar entries follow it.",
        "ru": "Проверьте новую дату: напоминания и события календаря следуют ей.",
    },
    "do.conflict": {
        "en": "Compare the sources and correct the config if the recorded date is wrong.",
        "ru": "Сравните источники и исправьте настройки, если записанная дата неверна.",
    },
    "do.source_down": {
        "en": "Check that the address still works; the monitor keeps trying and will say when it recovers.",
        "ru": "Проверьте, работает ли адрес; монитор продолжает попытки и сообщит, когда источник заработает.",
    },
    "do.source_recovered": {
        "en": "Nothing: this is for your information.",
        "ru": "Ничего: это для сведения.",
    },
    "do.source_broken": {
        "en": "Open the page and update the source's settings in the config if it changed.",
        "ru": "Откройте страницу и, если она изменилась, обновите настройки источника.",
    },
    "do.delivery_failed": {
        "en": "Check the address and the mail settings, then queue the email again (monitor outbox retry).",
        "ru": "Проверьте адрес и настройки почты, затем поставьте письмо в очередь снова (monitor outbox retry).",
    },
    "do.reminders_skipped": {
        "en": "Check that the worker runs (monitor status) and tell the advocates what they missed.",
        "ru": "Проверьте, что монитор работает (monitor status), и сообщите адвокатам, что они пропустили.",
    },
    "do.fact_recorded": {
        "en": "Nothing, unless the fact is wrong: then tell the operators.",
        "ru": "Ничего, если только факт не записан ошибочно: тогда сообщите операторам.",
    },
    "do.other": {
        "en": "Nothing, unless it surprises you.",
        "ru": "Ничего, если это не неожиданность.",
    },
    "label.details": {"en": "Details (for operators)", "ru": "Подробности (для операторов)"},
    "label.uncertain_short": {"en": "uncertain", "ru": "не бесспорно"},
    "label.deadlines": {"en": "Deadlines", "ru": "Сроки"},
    "alert.decision_changed": {"en": "Decision changed", "ru": "Решение изменено"},
    "alert.deadline_moved": {"en": "A deadline moved", "ru": "Срок изменился"},
    "alert.conflict": {"en": "Sources disagree", "ru": "Источники расходятся"},
    "alert.source_down": {"en": "Source down", "ru": "Источник недоступен"},
    "alert.source_recovered": {"en": "Source recovered", "ru": "Источник снова доступен"},
    "alert.source_broken": {"en": "Source broken", "ru": "Источник сломан"},
    "alert.delivery_failed": {"en": "Email delivery failed", "ru": "Письмо не доставлено"},
    "alert.reminders_skipped": {"en": "Reminders skipped", "ru": "Напоминания пропущены"},
    "alert.recorded_from_email": {
        "en": "Answered from an email link",
        "ru": "Ответ по ссылке из письма",
    },
    "alert.deadline_acknowledged": {
        "en": "No more reminders of a date to one contact",
        "ru": "Контакт отказался от напоминаний о сроке",
    },
    "alert.unsubscribed": {"en": "A contact unsubscribed", "ru": "Контакт отписался"},
    "kind.release": {"en": "release", "ru": "освобождение"},
    "kind.parole": {"en": "parole", "ru": "условно-досрочное освобождение"},
    "kind.sentence": {"en": "sentence", "ru": "приговор"},
    "kind.judgment": {"en": "judgment", "ru": "решение"},
    "kind.appeal_ruling": {"en": "appeal ruling", "ru": "решение апелляции"},
    "kind.acquittal": {"en": "acquittal", "ru": "оправдание"},
    "kind.other": {"en": "decision", "ru": "решение"},
    "ics.summary.appeal_until": {
        "en": "[{label}] Last day to appeal",
        "ru": "[{label}] Последний день обжалования",
    },
    "ics.summary.in_force": {
        "en": "[{label}] Decision comes into force",
        "ru": "[{label}] Решение вступает в силу",
    },
    "ics.summary.execution_due": {
        "en": "[{label}] Execution due",
        "ru": "[{label}] Срок исполнения",
    },
}


_DATA_KEYS = ("kind.", "alert.")


# Dates and plural forms are the deadline engine's own words (one table for both).
human_date = day_words


def translator(language: str) -> Callable[..., str]:
    lang = language if language in LANGUAGES else "en"

    def t(key: str, **values: Any) -> str:
        if key not in PHRASES and key.startswith(_DATA_KEYS):
            # A decision kind or event kind from data that has no words yet: show it as is.
            return key.partition(".")[2].replace("_", " ")
        entry = PHRASES[key]
        phrase = entry.get(lang) or entry["en"]
        if isinstance(phrase, tuple):
            n = int(values.get("n", 0))
            phrase = phrase[min(plural_index(lang, n), len(phrase) - 1)]
        values = {k: human_date(v, lang) if isinstance(v, date) else v for k, v in values.items()}
        return phrase.format(**values)

    return t


def when_words(offset: int, language: str) -> str:
    t = translator(language)
    if offset == 0:
        return t("when.today")
    if offset == 1:
        return t("when.tomorrow")
    return t("when.days", n=offset)
