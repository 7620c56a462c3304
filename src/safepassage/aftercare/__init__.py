"""After-care: pathways chosen with consent, publication consent, equipment and rewards."""
