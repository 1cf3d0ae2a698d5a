"""config.sqlite: small transactional state (accounts, preferences, providers, sources).

Constraints live in the schema, not only in Python: unique names, at most one default
LLM provider (a partial unique index), and CHECKed enum values, so that no code path,
present or future, can write a row the app cannot read back.
"""

from __future__ import annotations

from portfolioos.storage.migrations import Migration, sql_migration

_ACCOUNT_TYPES = (
    "'brokerage','ira','roth_ira','401k','hsa','529','checking','savings','crypto','other'"
)

V1 = f"""
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    type TEXT NOT NULL DEFAULT 'brokerage' CHECK (type IN ({_ACCOUNT_TYPES})),
    institution TEXT NOT NULL DEFAULT '',
    currency TEXT NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3),
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE preferences (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL CHECK (json_valid(value)),
    updated_at TEXT NOT NULL
);
CREATE TABLE llm_providers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    provider_type TEXT NOT NULL CHECK (provider_type IN
        ('lmstudio','openai_compatible','openai','openrouter','anthropic')),
    endpoint_url TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    is_local INTEGER NOT NULL DEFAULT 0 CHECK (is_local IN (0, 1)),
    consent TEXT CHECK (consent IS NULL OR json_valid(consent))
);
CREATE UNIQUE INDEX llm_providers_one_default ON llm_providers (is_default) WHERE is_default = 1;
CREATE TABLE data_sources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    source_type TEXT NOT NULL CHECK (source_type IN ('yahoo','fred','manual')),
    api_key_ref TEXT,
    rate_limit_per_min INTEGER NOT NULL DEFAULT 60 CHECK (rate_limit_per_min > 0),
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1))
);
INSERT INTO data_sources (name, source_type, api_key_ref, rate_limit_per_min, enabled)
    VALUES ('Yahoo Finance', 'yahoo', NULL, 120, 1), ('FRED', 'fred', 'fred-api-key', 100, 1)
"""

# v2: per-account engine options, saved import mappings, planner scenarios and the
# assistant's conversations, privacy level and rate limit per provider.
V2 = """
ALTER TABLE accounts ADD COLUMN lot_method TEXT NOT NULL DEFAULT 'fifo'
    CHECK (lot_method IN ('fifo','lifo','hifo','average','specific'));
ALTER TABLE accounts ADD COLUMN track_wash_sales INTEGER NOT NULL DEFAULT 0
    CHECK (track_wash_sales IN (0, 1));
ALTER TABLE llm_providers ADD COLUMN privacy_level TEXT NOT NULL DEFAULT 'totals'
    CHECK (privacy_level IN ('totals','full'));
ALTER TABLE llm_providers ADD COLUMN rate_limit_per_min INTEGER NOT NULL DEFAULT 30
    CHECK (rate_limit_per_min > 0);
CREATE TABLE import_mappings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    mapping TEXT NOT NULL CHECK (json_valid(mapping)),
    updated_at TEXT NOT NULL,
    UNIQUE (account_id, name)
);
CREATE TABLE scenarios (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    config TEXT NOT NULL CHECK (json_valid(config)),
    last_result TEXT CHECK (last_result IS NULL OR json_valid(last_result)),
    updated_at TEXT NOT NULL
);
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    provider_id INTEGER REFERENCES llm_providers(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('system','user','assistant')),
    content TEXT NOT NULL,
    created_at TEXT NOT NULL
)
"""

MIGRATIONS: tuple[Migration, ...] = (
    sql_migration(1, "accounts, preferences, llm_providers, data_sources", V1),
    sql_migration(2, "lot method, wash sales, mappings, scenarios, conversations", V2),
)
