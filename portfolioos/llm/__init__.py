"""Language-model providers on httpx: one protocol, OpenAI-compatible and Anthropic.

Every request goes through `transport.Transport`, which asks `consent.ConsentGate`
first; `manager.ProviderManager` builds providers from config.sqlite.
"""
