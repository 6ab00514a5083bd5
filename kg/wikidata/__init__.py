"""Wikidata online: an API client (cached, rate-limited) and the linker that reviews
candidates for the graph's entities. Optional; nothing runs it offline."""
