//! The demo platform's fixed courses, people and roles.

pub struct DemoCourse {
    pub id: &'static str,
    pub label: &'static str,
    pub title: &'static str,
    pub resource_link_id: &'static str,
    pub resource_link_title: &'static str,
}

pub struct DemoUser {
    pub id: &'static str,
    pub given_name: &'static str,
    pub family_name: &'static str,
    pub name: &'static str,
    pub email: &'static str,
}

pub const COURSES: &[DemoCourse] = &[
    DemoCourse {
        id: "course-bc101",
        label: "BC101",
        title: "Business Communication",
        resource_link_id: "bc101-coworking",
        resource_link_title: "BC101 coworking space",
    },
    DemoCourse {
        id: "course-da201",
        label: "DA201",
        title: "Data Analysis for Economists",
        resource_link_id: "da201-coworking",
        resource_link_title: "DA201 coworking space",
    },
];

pub const USERS: &[DemoUser] = &[
    DemoUser {
        id: "demo-teacher-1",
        given_name: "Irina",
        family_name: "Petrova",
        name: "Irina Petrova",
        email: "irina.petrova@example.invalid",
    },
    DemoUser {
        id: "demo-student-1",
        given_name: "Anna",
        family_name: "Smirnova",
        name: "Anna Smirnova",
        email: "anna.smirnova@example.invalid",
    },
    DemoUser {
        id: "demo-student-2",
        given_name: "Boris",
        family_name: "Ivanov",
        name: "Boris Ivanov",
        email: "boris.ivanov@example.invalid",
    },
    DemoUser {
        id: "demo-student-3",
        given_name: "Chen",
        family_name: "Wei",
        name: "Chen Wei",
        email: "chen.wei@example.invalid",
    },
    DemoUser {
        id: "demo-admin-1",
        given_name: "Site",
        family_name: "Administrator",
        name: "Site Administrator",
        email: "admin@example.invalid",
    },
];

/// Role choices: form value and label. The value names the LTI roles sent, see [`lti_roles`].
pub const ROLES: &[(&str, &str)] = &[
    ("instructor", "Teacher (Instructor)"),
    ("learner", "Student (Learner)"),
    ("administrator", "Administrator"),
    ("none", "No role"),
];

/// The LTI role URIs a role choice sends, as Moodle 4.2 sends them.
pub fn lti_roles(choice: &str) -> Option<Vec<String>> {
    let roles: &[&str] = match choice {
        "instructor" => &["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
        "learner" => &["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        "administrator" => &[
            "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
            "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
        ],
        "none" => &[],
        _ => return None,
    };
    Some(roles.iter().map(|role| role.to_string()).collect())
}

pub fn course(id: &str) -> Option<&'static DemoCourse> {
    COURSES.iter().find(|course| course.id == id)
}

pub fn user(id: &str) -> Option<&'static DemoUser> {
    USERS.iter().find(|user| user.id == id)
}
