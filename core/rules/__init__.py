"""Amazon rules engine: rules as data (:mod:`definitions`), the SQL engine (:mod:`engine`) and the
persisted ``violations`` / ``validation_runs`` tables (:mod:`store`)."""
