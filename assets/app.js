// Progressive enhancement for e-people; pages work without it.
