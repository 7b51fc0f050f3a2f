"""Spec 004's examples, shared by the simulator's and the adapter's tests.

Spec 004 is a PDF export: where an example answer is wrapped over two lines, the
constants below join it again (one space where the wrap was inside text).
"""

# The spec's example requests: the query strings of its URLs.
SPEC_ADD_USER = (
    "source=test&user=api&pass=1234&function=add_user&agent_user=1000&agent_pass=9999"
    "&agent_user_level=1&agent_full_name=Testing+Person&agent_user_group=AGENTS"
)
SPEC_UPDATE_USER = (
    "source=test&user=api&pass=1234&function=update_user&agent_user=1000&agent_pass=9876"
    "&agent_user_level=5&agent_full_name=Testing+Person&agent_user_group=AGENTS"
)
SPEC_ADD_LIST = (
    "source=test&user=api&pass=1234&function=add_list&list_id=1101&list_name=Test+API+list"
    "&campaign_id=TESTCAMP"
)
SPEC_ACTIVE_LISTS = "source=test&user=api&pass=1234&function=active_lists"
SPEC_MULTI_LEAD_ROW = (
    '{"city":"Ahmedabad","email":"","phone_number":1234567893,"first_name":"test",'
    '"last_name":"test","vendor_lead_code":1236,"list_id":"1101","postal_code":91}'
)
SPEC_ADD_MULTI_LEAD = (
    "source=test&user=api&pass=1234&function=add_multi_lead&multi_leads=["
    + SPEC_MULTI_LEAD_ROW
    + "]"
)

# The spec's example answers, verbatim.
ADD_USER_NO_PERMISSION = "ERROR: add_user USER DOES NOT HAVE PERMISSION TO ADD USERS - api|0"
ADD_USER_REQUIRED = "ERROR: add_user YOU MUST USE ALL REQUIRED FIELDS - api|1000|"
ADD_USER_LEVEL = (
    "ERROR: add_user USER DOES NOT HAVE PERMISSION TO ADD USERS IN THIS USER LEVEL - api|8"
)
ADD_USER_GROUP = "ERROR: add_user USER GROUP DOES NOT EXIST - api|ADFHR"
ADD_USER_EXISTS = "ERROR: add_user USER ALREADY EXISTS - api|api"
# The spec's success names user 10000 for a request that adds 1000 (a typo in the spec).
ADD_USER_SUCCESS = "SUCCESS: add_user USER HAS BEEN ADDED - api|10000|9999|1|Testing Person|AGENTS"

UPDATE_USER_NO_PERMISSION = (
    "ERROR: update_user USER DOES NOT HAVE PERMISSION TO UPDATE USERS - api|0"
)
UPDATE_USER_REQUIRED = "ERROR: update_user YOU MUST USE ALL REQUIRED FIELDS - api||"
UPDATE_USER_MISSING = "ERROR: update_user USER DOES NOT EXIST - api|78789"
UPDATE_USER_THIS_USER = (
    "ERROR: update_user USER DOES NOT HAVE PERMISSION TO UPDATE THIS USER - api|7878"
)
UPDATE_USER_FULL_NAME = (
    "ERROR: update_user YOU MUST USE A VALID FULL NAME, THIS IS AN OPTIONAL FIELD - api|"
)
UPDATE_USER_LEVEL = (
    "ERROR: update_user YOU MUST USE A VALID USER LEVEL, THIS IS AN OPTIONAL FIELD - api|0|9|1"
)
UPDATE_USER_GROUP = (
    "ERROR: update_user YOU MUST USE A VALID USER GROUP, THIS IS AN OPTIONAL FIELD"
    " - api|FAKEGROUP|0"
)
UPDATE_USER_PHONE_LOGIN = (
    "ERROR: update_user YOU MUST USE A VALID PHONE LOGIN, THIS IS AN OPTIONAL FIELD"
    " - api|fakephone|0|0"
)
UPDATE_USER_PHONE_PASS = (
    "ERROR: update_user YOU MUST USE A VALID PHONE PASSWORD, THIS IS AN OPTIONAL FIELD - api|0"
)
UPDATE_USER_VOICEMAIL = (
    "ERROR: update_user YOU MUST USE A VALID VOICEMAIL ID, THIS IS AN OPTIONAL FIELD - api"
)
UPDATE_USER_EMAIL = "ERROR: update_user YOU MUST USE A VALID EMAIL, THIS IS AN OPTIONAL FIELD - api"
UPDATE_USER_ACTIVE = "ERROR: update_user ACTIVE MUST BE Y OR N, THIS IS AN OPTIONAL FIELD - api"
UPDATE_USER_SUCCESS = "SUCCESS: update_user USER HAS BEEN UPDATED - api|1000"

ADD_LIST_NO_PERMISSION = (
    '{"success":false,"message":"api User does not have permission to add list in the system",'
    '"data":{"user":"api","password":"1234"}}'
)
ADD_LIST_REQUIRED = (
    '{"success":false,"message":"Please send list id , campaign id and list name",'
    '"data":{"list_id":"","list_name":"Test API list","campaign_id":"TESTCAMP"}}'
)
ADD_LIST_NO_CAMPAIGN = (
    '{"success":false,"message":"TESTCAMP campaign does not exist",'
    '"data":{"list_id":"1101","list_name":"Test API list","campaign_id":"TESTCAMP"}}'
)
ADD_LIST_EXISTS = (
    '{"success":false,"message":"1101 list already exist",'
    '"data":{"list_id":"1101","list_name":"Test API list","campaign_id":"TESTCAMP"}}'
)
# Verbatim, with the PDF's line break after "data": (whitespace, so still valid JSON).
ADD_LIST_SUCCESS = (
    '{"success":true,"message":"1101 list created","data":  \n'
    '{"list_id":"1101","list_name":"Test API list","campaign_id":"TESTCAMP"}}'
)
ACTIVE_LISTS_SUCCESS = (
    '{"success":true,"message":"lists are listed successfully","data":["NIKHIL-1101-Test API '
    'list","kartik-2018-kartik jagani","TESTING-20042018-20042018-hardik","NIKHIL-26042018-'
    '26042018_custom-form","TESTING-6547-testA","radhika-522018-522018","testcmp-1652018-'
    '1652018","Elision-2352018-2352018","test_plk-260518-260518 test"]}'
)
# The lists that answer names, as (list_id, list_name, campaign_id).
SPEC_LISTS = [
    ("1101", "Test API list", "NIKHIL"),
    ("2018", "kartik jagani", "kartik"),
    ("20042018", "20042018-hardik", "TESTING"),
    ("26042018", "26042018_custom-form", "NIKHIL"),
    ("6547", "testA", "TESTING"),
    ("522018", "522018", "radhika"),
    ("1652018", "1652018", "testcmp"),
    ("2352018", "2352018", "Elision"),
    ("260518", "260518 test", "test_plk"),
]
MULTI_LEAD_REQUIRED = '["ERROR","add_multi_lead YOU MUST USE ALL REQUIRED FIELDS","api",""]'
MULTI_LEAD_BAD_PHONE = '{"lead 1":{"success":false,"message":"Invalid phone number","data":"1293"}}'
MULTI_LEAD_SUCCESS = (
    '{"lead 1":{"success":true,"message":"Record(s) Created","data":"1234567893|1101|1036||NEW|"}}'
)

SPEC_TEXT_ANSWERS = [
    ADD_USER_NO_PERMISSION,
    ADD_USER_REQUIRED,
    ADD_USER_LEVEL,
    ADD_USER_GROUP,
    ADD_USER_EXISTS,
    UPDATE_USER_NO_PERMISSION,
    UPDATE_USER_REQUIRED,
    UPDATE_USER_MISSING,
    UPDATE_USER_THIS_USER,
    UPDATE_USER_FULL_NAME,
    UPDATE_USER_LEVEL,
    UPDATE_USER_GROUP,
    UPDATE_USER_PHONE_LOGIN,
    UPDATE_USER_PHONE_PASS,
    UPDATE_USER_VOICEMAIL,
    UPDATE_USER_EMAIL,
    UPDATE_USER_ACTIVE,
]
