"""Programmes (tenants), their staff, roles, key grants and the staff login with two factors."""
