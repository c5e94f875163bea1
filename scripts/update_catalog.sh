#!/bin/sh
# Update the interface's translations (see README, Translating); needs Babel: pip install '.[test]'.
#   1. extract every _(), ngettext() and N_() message of quizkit/ into quizkit/locale/quizkit.pot
#   2. merge it into quizkit/locale/zh/LC_MESSAGES/quizkit.po (new messages come in untranslated)
#   3. after translating, run it again: it compiles the .po into the .mo that quizkit reads
# tests/test_i18n.py fails while a message has no translation or the .mo is older than the .po.
set -e
cd "$(dirname "$0")/.."
pybabel extract -F babel.cfg -k N_ -c TRANSLATORS: --add-location=file --sort-output --no-wrap \
    --project=quizkit --copyright-holder="quizkit authors" -o quizkit/locale/quizkit.pot .
pybabel update -i quizkit/locale/quizkit.pot -d quizkit/locale -D quizkit -l zh --no-wrap --ignore-obsolete
pybabel compile -d quizkit/locale -D quizkit -l zh --statistics
