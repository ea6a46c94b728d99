"""Roster exports for planners: pandas frames per day, room, father and staff, CSV, XLSX, text."""
