"""The benefit engines: pure functions over plain inputs, no database. ``dibao`` computes the monthly
低保 allowance (补差, with the region's floor and top-ups) step by step; ``review`` gives the review class
(A/B/C) of an entitlement and its next review date. The service layer reads the household and the policy
version in force and stores what these return on the decision."""
