"""The sheet stage: where the club's sheet comes from and how it is read."""
