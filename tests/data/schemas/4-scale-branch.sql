-- made by quizkit 6a766a0's store.py: scripts/make_schema_fixtures.py
BEGIN TRANSACTION;
CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            question TEXT NOT NULL,          -- full id: bank/qid
            time TEXT NOT NULL,              -- ISO 8601, UTC
            answer TEXT NOT NULL,
            correct INTEGER NOT NULL,        -- 0 or 1
            seconds REAL NOT NULL,           -- time taken to answer
            device TEXT NOT NULL,
            session TEXT NOT NULL,
            mode TEXT NOT NULL DEFAULT 'drill'
        );
INSERT INTO "attempts" VALUES(1,'mini/dtype-short','2026-11-20T09:00:00+00:00','int64',1,4.25,'cpu','s-old','drill');
INSERT INTO "attempts" VALUES(2,'mini/card','2026-11-20T09:05:00+00:00','3',1,4.25,'cpu','s-old','review');
INSERT INTO "attempts" VALUES(3,'mini/card','2026-11-21T09:05:00+00:00','3',1,4.25,'cpu','s-old','review');
CREATE TABLE cards (
            question TEXT PRIMARY KEY,
            card_id INTEGER NOT NULL,
            state TEXT NOT NULL,             -- scheduler.CardState as JSON
            due TEXT NOT NULL,               -- ISO 8601, UTC (copied out of state for queries)
            leech INTEGER NOT NULL DEFAULT 0,
            updated TEXT NOT NULL
        );
INSERT INTO "cards" VALUES('mini/card',7,'{"question_id": "mini/card", "card": {"card_id": 7078106504683819, "state": 2, "step": null, "stability": 4.5, "difficulty": 5.0, "due": "2026-11-24T09:05:00+00:00", "last_review": "2026-11-21T09:05:00+00:00"}, "reps": 2, "lapses": 0, "leech": false}','2026-11-24T09:05:00+00:00',0,'2026-11-21T09:05:00+00:00');
CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL);
INSERT INTO "migrations" VALUES(1,'attempts','2026-12-07T20:55:58+00:00');
INSERT INTO "migrations" VALUES(2,'cards and reviews','2026-12-07T20:55:58+00:00');
INSERT INTO "migrations" VALUES(3,'indexes for stats and export','2026-12-07T20:55:58+00:00');
CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            attempt INTEGER REFERENCES attempts(id),
            question TEXT NOT NULL,
            card_id INTEGER NOT NULL,
            time TEXT NOT NULL,              -- ISO 8601, UTC
            rating INTEGER NOT NULL,         -- 1 again, 2 hard, 3 good, 4 easy
            state INTEGER NOT NULL,          -- fsrs State after the review: 1 learning, 2 review, 3 relearning
            prev_state INTEGER NOT NULL,     -- before it: 0 new (first review), else as state
            due TEXT NOT NULL,
            stability REAL,
            difficulty REAL,
            duration_ms INTEGER,
            session TEXT NOT NULL
        );
INSERT INTO "reviews" VALUES(1,2,'mini/card',7,'2026-11-20T09:05:00+00:00',3,1,0,'2026-11-20T09:15:00+00:00',2.5,5.0,3000,'s-old');
INSERT INTO "reviews" VALUES(2,3,'mini/card',7,'2026-11-21T09:05:00+00:00',3,2,1,'2026-11-24T09:05:00+00:00',3.5,5.0,3000,'s-old');
CREATE INDEX attempts_question ON attempts(question);
CREATE INDEX attempts_time ON attempts(time);
CREATE INDEX cards_due ON cards(due);
CREATE INDEX reviews_time ON reviews(time);
CREATE INDEX attempts_question_correct ON attempts(question, correct);
CREATE INDEX reviews_attempt ON reviews(attempt);
CREATE INDEX reviews_month ON reviews(prev_state, substr(time, 1, 7), rating);
CREATE INDEX cards_leech_due ON cards(leech, due);
COMMIT;
