"""The domain: journeys, blueprints, survey generation, scoring, statistics, the
vocabulary and translations. No Flask, no SQL: everything above builds on it."""
