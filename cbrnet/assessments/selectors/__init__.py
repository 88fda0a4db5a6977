"""selectors of needs assessments, one module per part: questionnaires.py, assessments.py, scores.py."""
