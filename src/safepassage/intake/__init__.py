"""The applicant's pages: no JavaScript, nothing from another origin, nothing left behind."""
