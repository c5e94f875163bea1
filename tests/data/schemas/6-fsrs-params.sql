-- made by quizkit 8f79756's store.py: scripts/make_schema_fixtures.py
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
        , hints INTEGER NOT NULL DEFAULT 0);
INSERT INTO "attempts" VALUES(1,'mini/dtype-short','2026-11-20T09:00:00+00:00','int64',1,4.25,'cpu','s-old','drill',1);
INSERT INTO "attempts" VALUES(2,'mini/card','2026-11-20T09:05:00+00:00','3',1,4.25,'cpu','s-old','review',1);
INSERT INTO "attempts" VALUES(3,'mini/card','2026-11-21T09:05:00+00:00','3',1,4.25,'cpu','s-old','review',1);
CREATE TABLE cards (
            question TEXT PRIMARY KEY,
            card_id INTEGER NOT NULL,
            state TEXT NOT NULL,             -- scheduler.CardState as JSON
            due TEXT NOT NULL,               -- ISO 8601, UTC (copied out of state for queries)
            leech INTEGER NOT NULL DEFAULT 0,
            updated TEXT NOT NULL
        );
INSERT INTO "cards" VALUES('mini/card',7,'{"question_id": "mini/card", "card": {"card_id": 7078106504683819, "state": 2, "step": null, "stability": 4.5, "difficulty": 5.0, "due": "2026-11-24T09:05:00+00:00", "last_review": "2026-11-21T09:05:00+00:00"}, "reps": 2, "lapses": 0, "leech": false}','2026-11-24T09:05:00+00:00',0,'2026-11-21T09:05:00+00:00');
CREATE TABLE fsrs_params (
            id INTEGER PRIMARY KEY,
            time TEXT NOT NULL,              -- ISO 8601, UTC: when they were fitted (or reset)
            reviews INTEGER NOT NULL,        -- the reviews they were fitted on (0: a reset)
            parameters TEXT,                 -- FSRS-6's 21 weights as a JSON list (NULL: the defaults again)
            report TEXT NOT NULL             -- the fit's figures as JSON
        );
INSERT INTO "fsrs_params" VALUES(1,'2026-11-23T09:00:00+00:00',600,'[0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 2.0, 0.1666, 0.796, 1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542]','{"stored": true}');
CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL);
INSERT INTO "migrations" VALUES(1,'attempts','2026-12-08T01:12:57+00:00');
INSERT INTO "migrations" VALUES(2,'cards and reviews','2026-12-08T01:12:57+00:00');
INSERT INTO "migrations" VALUES(3,'hints used','2026-12-08T01:12:57+00:00');
INSERT INTO "migrations" VALUES(4,'workspace hints and mock interviews','2026-12-08T01:12:57+00:00');
INSERT INTO "migrations" VALUES(5,'indexes for stats and export','2026-12-08T01:12:57+00:00');
INSERT INTO "migrations" VALUES(6,'fsrs parameters','2026-12-08T01:12:57+00:00');
CREATE TABLE mocks (
            id INTEGER PRIMARY KEY,
            session TEXT NOT NULL,           -- the attempts' session id
            started TEXT NOT NULL,           -- ISO 8601, UTC
            minutes INTEGER NOT NULL,        -- the time allowed
            seconds REAL NOT NULL,           -- the time used
            asked INTEGER NOT NULL,
            answered_right INTEGER NOT NULL,
            points REAL NOT NULL,
            possible REAL NOT NULL,
            report TEXT NOT NULL             -- the whole report as JSON
        );
INSERT INTO "mocks" VALUES(1,'s-mock','2026-11-22T09:00:00+00:00',30,600.0,1,1,1.0,1.0,'{"minutes": 30, "seconds": 600.0, "ended": "done", "asked": 1, "right": 1, "wrong": 0, "skipped": 0, "points": 1.0, "possible": 1.0, "score": 1.0, "topics": {"tensors": {"asked": 1, "right": 1, "points": 1.0, "possible": 1.0}}, "levels": {"1": {"asked": 1, "right": 1, "points": 1.0, "possible": 1.0}}, "questions": [], "review_next": []}');
CREATE TABLE notices (
            name TEXT PRIMARY KEY,
            shown TEXT NOT NULL              -- ISO 8601, UTC: when it was last shown
        );
INSERT INTO "notices" VALUES('optimize','2026-11-23T09:00:00+00:00');
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
CREATE TABLE workspace_hints (
            question TEXT PRIMARY KEY,
            shown INTEGER NOT NULL           -- hints revealed by `quizkit show --hint` since the last reset
        );
INSERT INTO "workspace_hints" VALUES('mini/grad-output',2);
CREATE INDEX attempts_question ON attempts(question);
CREATE INDEX attempts_time ON attempts(time);
CREATE INDEX cards_due ON cards(due);
CREATE INDEX reviews_time ON reviews(time);
CREATE INDEX mocks_started ON mocks(started);
CREATE INDEX attempts_question_correct ON attempts(question, correct);
CREATE INDEX reviews_attempt ON reviews(attempt);
CREATE INDEX reviews_month ON reviews(prev_state, substr(time, 1, 7), rating);
CREATE INDEX cards_leech_due ON cards(leech, due);
COMMIT;
