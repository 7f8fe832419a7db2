"""Reference data of the analyses: population by province and age band, product intervals."""
