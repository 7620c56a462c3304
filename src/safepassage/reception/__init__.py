"""Reception: arrival, GC III Art. 17 registration, capture cards, information-bureau export."""
