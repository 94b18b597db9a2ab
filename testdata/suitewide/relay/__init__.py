"""relay: a small asyncio message relay (teeth's suite-wide gate fixture)."""
