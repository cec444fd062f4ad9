"""The guide's customer book (SCRM): tags, segments, campaigns, staff hand-over."""
