"""Web UI of needs assessments: questionnaire templates (questionnaires.py), countries' assessments
(assessments.py) and their scores, gaps and comparisons (scores.py)."""
