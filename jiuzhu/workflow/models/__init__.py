from .evidence import CommunityReview, HomeInvestigation, Objection, Opinion, PublicNotice
from .evidence_tekun import SelfCareAssessment
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
    "SelfCareAssessment",
    "Step",
    "Transition",
]
