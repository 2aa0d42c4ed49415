"""Generation: decoding completions from a model (:mod:`.decoding`) and scoring them per problem
(:mod:`.scoring`). The ``generate`` and ``execute`` stages (:mod:`codestilts.stages`) drive them."""
