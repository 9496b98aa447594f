"""Staffing (机构编制): approved posts, vacancies, over-quota, structure, output per post."""
