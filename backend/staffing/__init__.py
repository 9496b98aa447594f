"""Staffing (机构编制): approved posts, vacancies and over-quota, staff structure, output per post."""
