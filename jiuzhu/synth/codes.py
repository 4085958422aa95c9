"""Codes of the fictional tree. Province 99 does not exist in GB/T 2260, so synthetic data can never
collide with a real county's."""

PROVINCE_CODE = "990000000000"
CITY_CODE = "990100000000"
COUNTY_CODE = "990101000000"
ADDRESS_CODE = COUNTY_CODE[:6]  # first six digits of every synthetic ID number
