from .evidence import CommunityReview, HomeInvestigation, Objection, Opinion, PublicNotice
from .flow import Case, CaseEvent, Definition, Notice, NoticeCounter, Step, Transition

__all__ = [
    "Case",
    "CaseEvent",
    "CommunityReview",
    "Definition",
    "HomeInvestigation",
    "Notice",
    "NoticeCounter",
    "Objection",
    "Opinion",
    "PublicNotice",
    "Step",
    "Transition",
]
