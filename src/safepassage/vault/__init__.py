"""Keys, envelope encryption, blind indexes, codenames and the sealed session store."""
