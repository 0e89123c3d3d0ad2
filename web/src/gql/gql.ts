/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query WebMe {\n    me {\n      id\n      name\n      role\n      email\n    }\n  }\n": typeof types.WebMeDocument,
    "\n  query WebGroup($groupId: ID!) {\n    group(id: $groupId) {\n      id\n      name\n      school {\n        id\n        name\n        timeZone\n      }\n      roll(first: 100) {\n        edges {\n          node {\n            studentId\n            student {\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.WebGroupDocument,
    "\n  fragment WebLesson on Lesson {\n    id\n    date\n    period\n    status\n    version\n    present\n    absent\n    late\n    absences {\n      studentId\n      kind\n      reason\n    }\n  }\n": typeof types.WebLessonFragmentDoc,
    "\n  query WebLesson($groupId: ID!, $date: String!, $period: Int!) {\n    lesson(groupId: $groupId, date: $date, period: $period) {\n      ...WebLesson\n    }\n  }\n": typeof types.WebLessonDocument,
    "\n  mutation WebReportAbsence($input: ReportAbsenceInput!) {\n    reportAbsence(input: $input) {\n      ...WebLesson\n    }\n  }\n": typeof types.WebReportAbsenceDocument,
    "\n  mutation WebRetractAbsence($input: RetractAbsenceInput!) {\n    retractAbsence(input: $input) {\n      ...WebLesson\n    }\n  }\n": typeof types.WebRetractAbsenceDocument,
    "\n  mutation WebCompleteLesson($groupId: ID!, $date: String!, $period: Int!) {\n    completeLesson(groupId: $groupId, date: $date, period: $period) {\n      ...WebLesson\n    }\n  }\n": typeof types.WebCompleteLessonDocument,
    "\n  query WebSchool($schoolId: ID!) {\n    school(id: $schoolId) {\n      id\n      name\n      timeZone\n      groups(first: 100) {\n        edges {\n          node {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n": typeof types.WebSchoolDocument,
    "\n  query WebOpenLessons($schoolId: ID!, $date: String!) {\n    openLessons(schoolId: $schoolId, date: $date) {\n      ...WebOpenLesson\n    }\n  }\n": typeof types.WebOpenLessonsDocument,
    "\n  fragment WebOpenLesson on Lesson {\n    id\n    date\n    period\n    status\n    absent\n    absences {\n      studentId\n    }\n    group {\n      id\n      name\n    }\n    takenBy {\n      name\n    }\n  }\n": typeof types.WebOpenLessonFragmentDoc,
    "\n  subscription WebAttendanceChanged($schoolId: ID!) {\n    attendanceChanged(schoolId: $schoolId) {\n      action\n      lesson {\n        ...WebOpenLesson\n      }\n    }\n  }\n": typeof types.WebAttendanceChangedDocument,
    "\n  query WebStats($scope: AttendanceScope!, $id: ID!, $from: String!, $to: String!) {\n    attendanceStats(scope: $scope, id: $id, from: $from, to: $to) {\n      lessons\n      attendanceRate\n      absenceRate\n      unexcusedRate\n      lateRate\n    }\n  }\n": typeof types.WebStatsDocument,
    "\n  mutation WebLogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      token\n      expiresAt\n    }\n  }\n": typeof types.WebLogInDocument,
    "\n  mutation WebSignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      token\n      expiresAt\n    }\n  }\n": typeof types.WebSignUpDocument,
    "\n  query WebCatalogue($search: String, $after: String) {\n    courses(first: 20, after: $after, filter: { search: $search }) {\n      edges {\n        node {\n          id\n          code\n          title\n          units\n          price\n          seatsLeft\n          waitlistCount\n          capacity\n          enrolledCount\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.WebCatalogueDocument,
    "\n  subscription WebSeats($courseId: ID!) {\n    courseSeatsChanged(courseId: $courseId) {\n      courseId\n      capacity\n      enrolledCount\n      waitlistCount\n      seatsLeft\n    }\n  }\n": typeof types.WebSeatsDocument,
    "\n  query WebMyEnrollments {\n    myEnrollments {\n      id\n      status\n      position\n      pricePaid\n      course {\n        id\n        code\n        title\n        units\n      }\n    }\n    myEnrollmentProfile {\n      maxUnits\n      remainingChanges\n      enrollmentStartsAt\n    }\n  }\n": typeof types.WebMyEnrollmentsDocument,
    "\n  subscription WebMyEnrollmentChanged {\n    myEnrollmentChanged {\n      id\n      status\n      position\n      course {\n        id\n      }\n    }\n  }\n": typeof types.WebMyEnrollmentChangedDocument,
    "\n  mutation WebEnroll($courseId: ID!) {\n    enroll(courseId: $courseId) {\n      id\n      status\n      position\n    }\n  }\n": typeof types.WebEnrollDocument,
    "\n  mutation WebDrop($courseId: ID!) {\n    disenroll(courseId: $courseId) {\n      id\n      status\n    }\n  }\n": typeof types.WebDropDocument,
    "\n  mutation WebSwitch($from: ID!, $to: ID!) {\n    switchCourse(fromCourseId: $from, toCourseId: $to) {\n      dropped {\n        id\n      }\n      enrolled {\n        id\n        status\n        position\n      }\n    }\n  }\n": typeof types.WebSwitchDocument,
    "\n  query WebStudentHome {\n    myEnrollments {\n      id\n      status\n      position\n      course {\n        id\n        code\n        title\n      }\n    }\n    myOpenOfficeHours {\n      courseId\n      course {\n        code\n        title\n      }\n      staffOnDuty {\n        staff {\n          id\n        }\n      }\n    }\n    quizzes(first: 50, filter: {}) {\n      edges {\n        node {\n          id\n          title\n          status\n          mode\n          course {\n            code\n          }\n        }\n      }\n    }\n  }\n": typeof types.WebStudentHomeDocument,
    "\n  query WebStaffHome($staffId: ID!) {\n    courses(first: 50, filter: { staffId: $staffId }) {\n      edges {\n        node {\n          id\n          code\n          title\n          enrolledCount\n          capacity\n        }\n      }\n    }\n    quizzes(first: 50) {\n      edges {\n        node {\n          id\n          title\n          status\n          mode\n          course {\n            code\n          }\n        }\n      }\n    }\n    myGroups {\n      id\n      name\n      school {\n        id\n        name\n      }\n    }\n  }\n": typeof types.WebStaffHomeDocument,
    "\n  query WebSchools {\n    schools(first: 50) {\n      edges {\n        node {\n          id\n          name\n          region\n        }\n      }\n    }\n  }\n": typeof types.WebSchoolsDocument,
    "\n  subscription WebQueueChanged($courseId: ID!) {\n    queueChanged(courseId: $courseId) {\n      courseId\n      version\n      waitingCount\n      invitedCount\n      inMeetingCount\n      status {\n        open\n        staffOnDuty {\n          staff {\n            id\n            name\n          }\n          state\n          entryId\n          meetingLink\n        }\n      }\n      entries {\n        id\n        status\n        position\n        question\n        joinedAt\n        inviteExpiresAt\n        student {\n          id\n          name\n        }\n      }\n    }\n  }\n": typeof types.WebQueueChangedDocument,
    "\n  subscription WebMyQueueEntry($courseId: ID!) {\n    myQueueEntryChanged(courseId: $courseId) {\n      ...WebEntry\n    }\n  }\n": typeof types.WebMyQueueEntryDocument,
    "\n  fragment WebEntry on QueueEntry {\n    id\n    status\n    position\n    question\n    meetingLink\n    inviteExpiresAt\n    estimatedWait {\n      minSeconds\n      maxSeconds\n      staffOnDuty\n    }\n  }\n": typeof types.WebEntryFragmentDoc,
    "\n  query WebOfficeHoursCourse($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      code\n      title\n    }\n  }\n": typeof types.WebOfficeHoursCourseDocument,
    "\n  mutation WebJoinQueue($courseId: ID!, $question: String!) {\n    joinQueue(courseId: $courseId, question: $question) {\n      ...WebEntry\n    }\n  }\n": typeof types.WebJoinQueueDocument,
    "\n  mutation WebLeaveQueue($courseId: ID!) {\n    leaveQueue(courseId: $courseId) {\n      ...WebEntry\n    }\n  }\n": typeof types.WebLeaveQueueDocument,
    "\n  mutation WebAcceptInvite($entryId: ID!) {\n    acceptInvite(entryId: $entryId) {\n      ...WebEntry\n    }\n  }\n": typeof types.WebAcceptInviteDocument,
    "\n  mutation WebOpenOfficeHours($courseId: ID!, $meetingLink: String!) {\n    openOfficeHours(courseId: $courseId, meetingLink: $meetingLink) {\n      open\n    }\n  }\n": typeof types.WebOpenOfficeHoursDocument,
    "\n  mutation WebCloseOfficeHours($courseId: ID!) {\n    closeOfficeHours(courseId: $courseId) {\n      open\n    }\n  }\n": typeof types.WebCloseOfficeHoursDocument,
    "\n  mutation WebCallNext($courseId: ID!) {\n    callNext(courseId: $courseId) {\n      id\n      inviteExpiresAt\n      student {\n        name\n      }\n    }\n  }\n": typeof types.WebCallNextDocument,
    "\n  mutation WebEndMeeting($entryId: ID!) {\n    endMeeting(entryId: $entryId) {\n      id\n      status\n    }\n  }\n": typeof types.WebEndMeetingDocument,
    "\n  mutation WebRemoveFromQueue($entryId: ID!) {\n    removeFromQueue(entryId: $entryId, reason: \"Removed by staff\") {\n      id\n    }\n  }\n": typeof types.WebRemoveFromQueueDocument,
    "\n  query WebQuiz($quizId: ID!) {\n    quiz(id: $quizId) {\n      id\n      title\n      mode\n      status\n      availableFrom\n      questionCount\n      course {\n        code\n      }\n      currentQuestion {\n        id\n        number\n      }\n      questions {\n        id\n        number\n        text\n        options\n        correctOption\n        closed\n      }\n    }\n  }\n": typeof types.WebQuizDocument,
    "\n  subscription WebLeaderboard($quizId: ID!, $first: Int!) {\n    leaderboardChanged(quizId: $quizId, first: $first) {\n      version\n      closed\n      playerCount\n      entries {\n        rank\n        score\n        player {\n          name\n        }\n      }\n    }\n  }\n": typeof types.WebLeaderboardDocument,
    "\n  subscription WebQuestionStarted($quizId: ID!) {\n    questionStarted(quizId: $quizId) {\n      id\n      number\n      text\n      options\n      closesAt\n      timeLimitSeconds\n      points\n    }\n  }\n": typeof types.WebQuestionStartedDocument,
    "\n  mutation WebStartQuestion($quizId: ID!) {\n    startQuestion(quizId: $quizId) {\n      id\n      number\n    }\n  }\n": typeof types.WebStartQuestionDocument,
    "\n  mutation WebCloseQuiz($quizId: ID!) {\n    closeQuiz(quizId: $quizId) {\n      id\n      status\n    }\n  }\n": typeof types.WebCloseQuizDocument,
    "\n  mutation WebJoinQuiz($quizId: ID!) {\n    joinQuiz(quizId: $quizId) {\n      score\n      rank\n      playerCount\n    }\n  }\n": typeof types.WebJoinQuizDocument,
    "\n  mutation WebAnswer($quizId: ID!, $questionId: ID!, $choice: Int!) {\n    answer(quizId: $quizId, questionId: $questionId, choice: $choice) {\n      correct\n      pointsAwarded\n      totalScore\n      rank\n    }\n  }\n": typeof types.WebAnswerDocument,
};
const documents: Documents = {
    "\n  query WebMe {\n    me {\n      id\n      name\n      role\n      email\n    }\n  }\n": types.WebMeDocument,
    "\n  query WebGroup($groupId: ID!) {\n    group(id: $groupId) {\n      id\n      name\n      school {\n        id\n        name\n        timeZone\n      }\n      roll(first: 100) {\n        edges {\n          node {\n            studentId\n            student {\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": types.WebGroupDocument,
    "\n  fragment WebLesson on Lesson {\n    id\n    date\n    period\n    status\n    version\n    present\n    absent\n    late\n    absences {\n      studentId\n      kind\n      reason\n    }\n  }\n": types.WebLessonFragmentDoc,
    "\n  query WebLesson($groupId: ID!, $date: String!, $period: Int!) {\n    lesson(groupId: $groupId, date: $date, period: $period) {\n      ...WebLesson\n    }\n  }\n": types.WebLessonDocument,
    "\n  mutation WebReportAbsence($input: ReportAbsenceInput!) {\n    reportAbsence(input: $input) {\n      ...WebLesson\n    }\n  }\n": types.WebReportAbsenceDocument,
    "\n  mutation WebRetractAbsence($input: RetractAbsenceInput!) {\n    retractAbsence(input: $input) {\n      ...WebLesson\n    }\n  }\n": types.WebRetractAbsenceDocument,
    "\n  mutation WebCompleteLesson($groupId: ID!, $date: String!, $period: Int!) {\n    completeLesson(groupId: $groupId, date: $date, period: $period) {\n      ...WebLesson\n    }\n  }\n": types.WebCompleteLessonDocument,
    "\n  query WebSchool($schoolId: ID!) {\n    school(id: $schoolId) {\n      id\n      name\n      timeZone\n      groups(first: 100) {\n        edges {\n          node {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n": types.WebSchoolDocument,
    "\n  query WebOpenLessons($schoolId: ID!, $date: String!) {\n    openLessons(schoolId: $schoolId, date: $date) {\n      ...WebOpenLesson\n    }\n  }\n": types.WebOpenLessonsDocument,
    "\n  fragment WebOpenLesson on Lesson {\n    id\n    date\n    period\n    status\n    absent\n    absences {\n      studentId\n    }\n    group {\n      id\n      name\n    }\n    takenBy {\n      name\n    }\n  }\n": types.WebOpenLessonFragmentDoc,
    "\n  subscription WebAttendanceChanged($schoolId: ID!) {\n    attendanceChanged(schoolId: $schoolId) {\n      action\n      lesson {\n        ...WebOpenLesson\n      }\n    }\n  }\n": types.WebAttendanceChangedDocument,
    "\n  query WebStats($scope: AttendanceScope!, $id: ID!, $from: String!, $to: String!) {\n    attendanceStats(scope: $scope, id: $id, from: $from, to: $to) {\n      lessons\n      attendanceRate\n      absenceRate\n      unexcusedRate\n      lateRate\n    }\n  }\n": types.WebStatsDocument,
    "\n  mutation WebLogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      token\n      expiresAt\n    }\n  }\n": types.WebLogInDocument,
    "\n  mutation WebSignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      token\n      expiresAt\n    }\n  }\n": types.WebSignUpDocument,
    "\n  query WebCatalogue($search: String, $after: String) {\n    courses(first: 20, after: $after, filter: { search: $search }) {\n      edges {\n        node {\n          id\n          code\n          title\n          units\n          price\n          seatsLeft\n          waitlistCount\n          capacity\n          enrolledCount\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.WebCatalogueDocument,
    "\n  subscription WebSeats($courseId: ID!) {\n    courseSeatsChanged(courseId: $courseId) {\n      courseId\n      capacity\n      enrolledCount\n      waitlistCount\n      seatsLeft\n    }\n  }\n": types.WebSeatsDocument,
    "\n  query WebMyEnrollments {\n    myEnrollments {\n      id\n      status\n      position\n      pricePaid\n      course {\n        id\n        code\n        title\n        units\n      }\n    }\n    myEnrollmentProfile {\n      maxUnits\n      remainingChanges\n      enrollmentStartsAt\n    }\n  }\n": types.WebMyEnrollmentsDocument,
    "\n  subscription WebMyEnrollmentChanged {\n    myEnrollmentChanged {\n      id\n      status\n      position\n      course {\n        id\n      }\n    }\n  }\n": types.WebMyEnrollmentChangedDocument,
    "\n  mutation WebEnroll($courseId: ID!) {\n    enroll(courseId: $courseId) {\n      id\n      status\n      position\n    }\n  }\n": types.WebEnrollDocument,
    "\n  mutation WebDrop($courseId: ID!) {\n    disenroll(courseId: $courseId) {\n      id\n      status\n    }\n  }\n": types.WebDropDocument,
    "\n  mutation WebSwitch($from: ID!, $to: ID!) {\n    switchCourse(fromCourseId: $from, toCourseId: $to) {\n      dropped {\n        id\n      }\n      enrolled {\n        id\n        status\n        position\n      }\n    }\n  }\n": types.WebSwitchDocument,
    "\n  query WebStudentHome {\n    myEnrollments {\n      id\n      status\n      position\n      course {\n        id\n        code\n        title\n      }\n    }\n    myOpenOfficeHours {\n      courseId\n      course {\n        code\n        title\n      }\n      staffOnDuty {\n        staff {\n          id\n        }\n      }\n    }\n    quizzes(first: 50, filter: {}) {\n      edges {\n        node {\n          id\n          title\n          status\n          mode\n          course {\n            code\n          }\n        }\n      }\n    }\n  }\n": types.WebStudentHomeDocument,
    "\n  query WebStaffHome($staffId: ID!) {\n    courses(first: 50, filter: { staffId: $staffId }) {\n      edges {\n        node {\n          id\n          code\n          title\n          enrolledCount\n          capacity\n        }\n      }\n    }\n    quizzes(first: 50) {\n      edges {\n        node {\n          id\n          title\n          status\n          mode\n          course {\n            code\n          }\n        }\n      }\n    }\n    myGroups {\n      id\n      name\n      school {\n        id\n        name\n      }\n    }\n  }\n": types.WebStaffHomeDocument,
    "\n  query WebSchools {\n    schools(first: 50) {\n      edges {\n        node {\n          id\n          name\n          region\n        }\n      }\n    }\n  }\n": types.WebSchoolsDocument,
    "\n  subscription WebQueueChanged($courseId: ID!) {\n    queueChanged(courseId: $courseId) {\n      courseId\n      version\n      waitingCount\n      invitedCount\n      inMeetingCount\n      status {\n        open\n        staffOnDuty {\n          staff {\n            id\n            name\n          }\n          state\n          entryId\n          meetingLink\n        }\n      }\n      entries {\n        id\n        status\n        position\n        question\n        joinedAt\n        inviteExpiresAt\n        student {\n          id\n          name\n        }\n      }\n    }\n  }\n": types.WebQueueChangedDocument,
    "\n  subscription WebMyQueueEntry($courseId: ID!) {\n    myQueueEntryChanged(courseId: $courseId) {\n      ...WebEntry\n    }\n  }\n": types.WebMyQueueEntryDocument,
    "\n  fragment WebEntry on QueueEntry {\n    id\n    status\n    position\n    question\n    meetingLink\n    inviteExpiresAt\n    estimatedWait {\n      minSeconds\n      maxSeconds\n      staffOnDuty\n    }\n  }\n": types.WebEntryFragmentDoc,
    "\n  query WebOfficeHoursCourse($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      code\n      title\n    }\n  }\n": types.WebOfficeHoursCourseDocument,
    "\n  mutation WebJoinQueue($courseId: ID!, $question: String!) {\n    joinQueue(courseId: $courseId, question: $question) {\n      ...WebEntry\n    }\n  }\n": types.WebJoinQueueDocument,
    "\n  mutation WebLeaveQueue($courseId: ID!) {\n    leaveQueue(courseId: $courseId) {\n      ...WebEntry\n    }\n  }\n": types.WebLeaveQueueDocument,
    "\n  mutation WebAcceptInvite($entryId: ID!) {\n    acceptInvite(entryId: $entryId) {\n      ...WebEntry\n    }\n  }\n": types.WebAcceptInviteDocument,
    "\n  mutation WebOpenOfficeHours($courseId: ID!, $meetingLink: String!) {\n    openOfficeHours(courseId: $courseId, meetingLink: $meetingLink) {\n      open\n    }\n  }\n": types.WebOpenOfficeHoursDocument,
    "\n  mutation WebCloseOfficeHours($courseId: ID!) {\n    closeOfficeHours(courseId: $courseId) {\n      open\n    }\n  }\n": types.WebCloseOfficeHoursDocument,
    "\n  mutation WebCallNext($courseId: ID!) {\n    callNext(courseId: $courseId) {\n      id\n      inviteExpiresAt\n      student {\n        name\n      }\n    }\n  }\n": types.WebCallNextDocument,
    "\n  mutation WebEndMeeting($entryId: ID!) {\n    endMeeting(entryId: $entryId) {\n      id\n      status\n    }\n  }\n": types.WebEndMeetingDocument,
    "\n  mutation WebRemoveFromQueue($entryId: ID!) {\n    removeFromQueue(entryId: $entryId, reason: \"Removed by staff\") {\n      id\n    }\n  }\n": types.WebRemoveFromQueueDocument,
    "\n  query WebQuiz($quizId: ID!) {\n    quiz(id: $quizId) {\n      id\n      title\n      mode\n      status\n      availableFrom\n      questionCount\n      course {\n        code\n      }\n      currentQuestion {\n        id\n        number\n      }\n      questions {\n        id\n        number\n        text\n        options\n        correctOption\n        closed\n      }\n    }\n  }\n": types.WebQuizDocument,
    "\n  subscription WebLeaderboard($quizId: ID!, $first: Int!) {\n    leaderboardChanged(quizId: $quizId, first: $first) {\n      version\n      closed\n      playerCount\n      entries {\n        rank\n        score\n        player {\n          name\n        }\n      }\n    }\n  }\n": types.WebLeaderboardDocument,
    "\n  subscription WebQuestionStarted($quizId: ID!) {\n    questionStarted(quizId: $quizId) {\n      id\n      number\n      text\n      options\n      closesAt\n      timeLimitSeconds\n      points\n    }\n  }\n": types.WebQuestionStartedDocument,
    "\n  mutation WebStartQuestion($quizId: ID!) {\n    startQuestion(quizId: $quizId) {\n      id\n      number\n    }\n  }\n": types.WebStartQuestionDocument,
    "\n  mutation WebCloseQuiz($quizId: ID!) {\n    closeQuiz(quizId: $quizId) {\n      id\n      status\n    }\n  }\n": types.WebCloseQuizDocument,
    "\n  mutation WebJoinQuiz($quizId: ID!) {\n    joinQuiz(quizId: $quizId) {\n      score\n      rank\n      playerCount\n    }\n  }\n": types.WebJoinQuizDocument,
    "\n  mutation WebAnswer($quizId: ID!, $questionId: ID!, $choice: Int!) {\n    answer(quizId: $quizId, questionId: $questionId, choice: $choice) {\n      correct\n      pointsAwarded\n      totalScore\n      rank\n    }\n  }\n": types.WebAnswerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebMe {\n    me {\n      id\n      name\n      role\n      email\n    }\n  }\n"): (typeof documents)["\n  query WebMe {\n    me {\n      id\n      name\n      role\n      email\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebGroup($groupId: ID!) {\n    group(id: $groupId) {\n      id\n      name\n      school {\n        id\n        name\n        timeZone\n      }\n      roll(first: 100) {\n        edges {\n          node {\n            studentId\n            student {\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query WebGroup($groupId: ID!) {\n    group(id: $groupId) {\n      id\n      name\n      school {\n        id\n        name\n        timeZone\n      }\n      roll(first: 100) {\n        edges {\n          node {\n            studentId\n            student {\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WebLesson on Lesson {\n    id\n    date\n    period\n    status\n    version\n    present\n    absent\n    late\n    absences {\n      studentId\n      kind\n      reason\n    }\n  }\n"): (typeof documents)["\n  fragment WebLesson on Lesson {\n    id\n    date\n    period\n    status\n    version\n    present\n    absent\n    late\n    absences {\n      studentId\n      kind\n      reason\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebLesson($groupId: ID!, $date: String!, $period: Int!) {\n    lesson(groupId: $groupId, date: $date, period: $period) {\n      ...WebLesson\n    }\n  }\n"): (typeof documents)["\n  query WebLesson($groupId: ID!, $date: String!, $period: Int!) {\n    lesson(groupId: $groupId, date: $date, period: $period) {\n      ...WebLesson\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebReportAbsence($input: ReportAbsenceInput!) {\n    reportAbsence(input: $input) {\n      ...WebLesson\n    }\n  }\n"): (typeof documents)["\n  mutation WebReportAbsence($input: ReportAbsenceInput!) {\n    reportAbsence(input: $input) {\n      ...WebLesson\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebRetractAbsence($input: RetractAbsenceInput!) {\n    retractAbsence(input: $input) {\n      ...WebLesson\n    }\n  }\n"): (typeof documents)["\n  mutation WebRetractAbsence($input: RetractAbsenceInput!) {\n    retractAbsence(input: $input) {\n      ...WebLesson\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebCompleteLesson($groupId: ID!, $date: String!, $period: Int!) {\n    completeLesson(groupId: $groupId, date: $date, period: $period) {\n      ...WebLesson\n    }\n  }\n"): (typeof documents)["\n  mutation WebCompleteLesson($groupId: ID!, $date: String!, $period: Int!) {\n    completeLesson(groupId: $groupId, date: $date, period: $period) {\n      ...WebLesson\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebSchool($schoolId: ID!) {\n    school(id: $schoolId) {\n      id\n      name\n      timeZone\n      groups(first: 100) {\n        edges {\n          node {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query WebSchool($schoolId: ID!) {\n    school(id: $schoolId) {\n      id\n      name\n      timeZone\n      groups(first: 100) {\n        edges {\n          node {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebOpenLessons($schoolId: ID!, $date: String!) {\n    openLessons(schoolId: $schoolId, date: $date) {\n      ...WebOpenLesson\n    }\n  }\n"): (typeof documents)["\n  query WebOpenLessons($schoolId: ID!, $date: String!) {\n    openLessons(schoolId: $schoolId, date: $date) {\n      ...WebOpenLesson\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WebOpenLesson on Lesson {\n    id\n    date\n    period\n    status\n    absent\n    absences {\n      studentId\n    }\n    group {\n      id\n      name\n    }\n    takenBy {\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment WebOpenLesson on Lesson {\n    id\n    date\n    period\n    status\n    absent\n    absences {\n      studentId\n    }\n    group {\n      id\n      name\n    }\n    takenBy {\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WebAttendanceChanged($schoolId: ID!) {\n    attendanceChanged(schoolId: $schoolId) {\n      action\n      lesson {\n        ...WebOpenLesson\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription WebAttendanceChanged($schoolId: ID!) {\n    attendanceChanged(schoolId: $schoolId) {\n      action\n      lesson {\n        ...WebOpenLesson\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebStats($scope: AttendanceScope!, $id: ID!, $from: String!, $to: String!) {\n    attendanceStats(scope: $scope, id: $id, from: $from, to: $to) {\n      lessons\n      attendanceRate\n      absenceRate\n      unexcusedRate\n      lateRate\n    }\n  }\n"): (typeof documents)["\n  query WebStats($scope: AttendanceScope!, $id: ID!, $from: String!, $to: String!) {\n    attendanceStats(scope: $scope, id: $id, from: $from, to: $to) {\n      lessons\n      attendanceRate\n      absenceRate\n      unexcusedRate\n      lateRate\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebLogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      token\n      expiresAt\n    }\n  }\n"): (typeof documents)["\n  mutation WebLogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      token\n      expiresAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebSignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      token\n      expiresAt\n    }\n  }\n"): (typeof documents)["\n  mutation WebSignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      token\n      expiresAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebCatalogue($search: String, $after: String) {\n    courses(first: 20, after: $after, filter: { search: $search }) {\n      edges {\n        node {\n          id\n          code\n          title\n          units\n          price\n          seatsLeft\n          waitlistCount\n          capacity\n          enrolledCount\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query WebCatalogue($search: String, $after: String) {\n    courses(first: 20, after: $after, filter: { search: $search }) {\n      edges {\n        node {\n          id\n          code\n          title\n          units\n          price\n          seatsLeft\n          waitlistCount\n          capacity\n          enrolledCount\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WebSeats($courseId: ID!) {\n    courseSeatsChanged(courseId: $courseId) {\n      courseId\n      capacity\n      enrolledCount\n      waitlistCount\n      seatsLeft\n    }\n  }\n"): (typeof documents)["\n  subscription WebSeats($courseId: ID!) {\n    courseSeatsChanged(courseId: $courseId) {\n      courseId\n      capacity\n      enrolledCount\n      waitlistCount\n      seatsLeft\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebMyEnrollments {\n    myEnrollments {\n      id\n      status\n      position\n      pricePaid\n      course {\n        id\n        code\n        title\n        units\n      }\n    }\n    myEnrollmentProfile {\n      maxUnits\n      remainingChanges\n      enrollmentStartsAt\n    }\n  }\n"): (typeof documents)["\n  query WebMyEnrollments {\n    myEnrollments {\n      id\n      status\n      position\n      pricePaid\n      course {\n        id\n        code\n        title\n        units\n      }\n    }\n    myEnrollmentProfile {\n      maxUnits\n      remainingChanges\n      enrollmentStartsAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WebMyEnrollmentChanged {\n    myEnrollmentChanged {\n      id\n      status\n      position\n      course {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription WebMyEnrollmentChanged {\n    myEnrollmentChanged {\n      id\n      status\n      position\n      course {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebEnroll($courseId: ID!) {\n    enroll(courseId: $courseId) {\n      id\n      status\n      position\n    }\n  }\n"): (typeof documents)["\n  mutation WebEnroll($courseId: ID!) {\n    enroll(courseId: $courseId) {\n      id\n      status\n      position\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebDrop($courseId: ID!) {\n    disenroll(courseId: $courseId) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation WebDrop($courseId: ID!) {\n    disenroll(courseId: $courseId) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebSwitch($from: ID!, $to: ID!) {\n    switchCourse(fromCourseId: $from, toCourseId: $to) {\n      dropped {\n        id\n      }\n      enrolled {\n        id\n        status\n        position\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation WebSwitch($from: ID!, $to: ID!) {\n    switchCourse(fromCourseId: $from, toCourseId: $to) {\n      dropped {\n        id\n      }\n      enrolled {\n        id\n        status\n        position\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebStudentHome {\n    myEnrollments {\n      id\n      status\n      position\n      course {\n        id\n        code\n        title\n      }\n    }\n    myOpenOfficeHours {\n      courseId\n      course {\n        code\n        title\n      }\n      staffOnDuty {\n        staff {\n          id\n        }\n      }\n    }\n    quizzes(first: 50, filter: {}) {\n      edges {\n        node {\n          id\n          title\n          status\n          mode\n          course {\n            code\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query WebStudentHome {\n    myEnrollments {\n      id\n      status\n      position\n      course {\n        id\n        code\n        title\n      }\n    }\n    myOpenOfficeHours {\n      courseId\n      course {\n        code\n        title\n      }\n      staffOnDuty {\n        staff {\n          id\n        }\n      }\n    }\n    quizzes(first: 50, filter: {}) {\n      edges {\n        node {\n          id\n          title\n          status\n          mode\n          course {\n            code\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebStaffHome($staffId: ID!) {\n    courses(first: 50, filter: { staffId: $staffId }) {\n      edges {\n        node {\n          id\n          code\n          title\n          enrolledCount\n          capacity\n        }\n      }\n    }\n    quizzes(first: 50) {\n      edges {\n        node {\n          id\n          title\n          status\n          mode\n          course {\n            code\n          }\n        }\n      }\n    }\n    myGroups {\n      id\n      name\n      school {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query WebStaffHome($staffId: ID!) {\n    courses(first: 50, filter: { staffId: $staffId }) {\n      edges {\n        node {\n          id\n          code\n          title\n          enrolledCount\n          capacity\n        }\n      }\n    }\n    quizzes(first: 50) {\n      edges {\n        node {\n          id\n          title\n          status\n          mode\n          course {\n            code\n          }\n        }\n      }\n    }\n    myGroups {\n      id\n      name\n      school {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebSchools {\n    schools(first: 50) {\n      edges {\n        node {\n          id\n          name\n          region\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query WebSchools {\n    schools(first: 50) {\n      edges {\n        node {\n          id\n          name\n          region\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WebQueueChanged($courseId: ID!) {\n    queueChanged(courseId: $courseId) {\n      courseId\n      version\n      waitingCount\n      invitedCount\n      inMeetingCount\n      status {\n        open\n        staffOnDuty {\n          staff {\n            id\n            name\n          }\n          state\n          entryId\n          meetingLink\n        }\n      }\n      entries {\n        id\n        status\n        position\n        question\n        joinedAt\n        inviteExpiresAt\n        student {\n          id\n          name\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription WebQueueChanged($courseId: ID!) {\n    queueChanged(courseId: $courseId) {\n      courseId\n      version\n      waitingCount\n      invitedCount\n      inMeetingCount\n      status {\n        open\n        staffOnDuty {\n          staff {\n            id\n            name\n          }\n          state\n          entryId\n          meetingLink\n        }\n      }\n      entries {\n        id\n        status\n        position\n        question\n        joinedAt\n        inviteExpiresAt\n        student {\n          id\n          name\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WebMyQueueEntry($courseId: ID!) {\n    myQueueEntryChanged(courseId: $courseId) {\n      ...WebEntry\n    }\n  }\n"): (typeof documents)["\n  subscription WebMyQueueEntry($courseId: ID!) {\n    myQueueEntryChanged(courseId: $courseId) {\n      ...WebEntry\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WebEntry on QueueEntry {\n    id\n    status\n    position\n    question\n    meetingLink\n    inviteExpiresAt\n    estimatedWait {\n      minSeconds\n      maxSeconds\n      staffOnDuty\n    }\n  }\n"): (typeof documents)["\n  fragment WebEntry on QueueEntry {\n    id\n    status\n    position\n    question\n    meetingLink\n    inviteExpiresAt\n    estimatedWait {\n      minSeconds\n      maxSeconds\n      staffOnDuty\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebOfficeHoursCourse($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      code\n      title\n    }\n  }\n"): (typeof documents)["\n  query WebOfficeHoursCourse($courseId: ID!) {\n    course(id: $courseId) {\n      id\n      code\n      title\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebJoinQueue($courseId: ID!, $question: String!) {\n    joinQueue(courseId: $courseId, question: $question) {\n      ...WebEntry\n    }\n  }\n"): (typeof documents)["\n  mutation WebJoinQueue($courseId: ID!, $question: String!) {\n    joinQueue(courseId: $courseId, question: $question) {\n      ...WebEntry\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebLeaveQueue($courseId: ID!) {\n    leaveQueue(courseId: $courseId) {\n      ...WebEntry\n    }\n  }\n"): (typeof documents)["\n  mutation WebLeaveQueue($courseId: ID!) {\n    leaveQueue(courseId: $courseId) {\n      ...WebEntry\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAcceptInvite($entryId: ID!) {\n    acceptInvite(entryId: $entryId) {\n      ...WebEntry\n    }\n  }\n"): (typeof documents)["\n  mutation WebAcceptInvite($entryId: ID!) {\n    acceptInvite(entryId: $entryId) {\n      ...WebEntry\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebOpenOfficeHours($courseId: ID!, $meetingLink: String!) {\n    openOfficeHours(courseId: $courseId, meetingLink: $meetingLink) {\n      open\n    }\n  }\n"): (typeof documents)["\n  mutation WebOpenOfficeHours($courseId: ID!, $meetingLink: String!) {\n    openOfficeHours(courseId: $courseId, meetingLink: $meetingLink) {\n      open\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebCloseOfficeHours($courseId: ID!) {\n    closeOfficeHours(courseId: $courseId) {\n      open\n    }\n  }\n"): (typeof documents)["\n  mutation WebCloseOfficeHours($courseId: ID!) {\n    closeOfficeHours(courseId: $courseId) {\n      open\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebCallNext($courseId: ID!) {\n    callNext(courseId: $courseId) {\n      id\n      inviteExpiresAt\n      student {\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation WebCallNext($courseId: ID!) {\n    callNext(courseId: $courseId) {\n      id\n      inviteExpiresAt\n      student {\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebEndMeeting($entryId: ID!) {\n    endMeeting(entryId: $entryId) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation WebEndMeeting($entryId: ID!) {\n    endMeeting(entryId: $entryId) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebRemoveFromQueue($entryId: ID!) {\n    removeFromQueue(entryId: $entryId, reason: \"Removed by staff\") {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation WebRemoveFromQueue($entryId: ID!) {\n    removeFromQueue(entryId: $entryId, reason: \"Removed by staff\") {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebQuiz($quizId: ID!) {\n    quiz(id: $quizId) {\n      id\n      title\n      mode\n      status\n      availableFrom\n      questionCount\n      course {\n        code\n      }\n      currentQuestion {\n        id\n        number\n      }\n      questions {\n        id\n        number\n        text\n        options\n        correctOption\n        closed\n      }\n    }\n  }\n"): (typeof documents)["\n  query WebQuiz($quizId: ID!) {\n    quiz(id: $quizId) {\n      id\n      title\n      mode\n      status\n      availableFrom\n      questionCount\n      course {\n        code\n      }\n      currentQuestion {\n        id\n        number\n      }\n      questions {\n        id\n        number\n        text\n        options\n        correctOption\n        closed\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WebLeaderboard($quizId: ID!, $first: Int!) {\n    leaderboardChanged(quizId: $quizId, first: $first) {\n      version\n      closed\n      playerCount\n      entries {\n        rank\n        score\n        player {\n          name\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription WebLeaderboard($quizId: ID!, $first: Int!) {\n    leaderboardChanged(quizId: $quizId, first: $first) {\n      version\n      closed\n      playerCount\n      entries {\n        rank\n        score\n        player {\n          name\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WebQuestionStarted($quizId: ID!) {\n    questionStarted(quizId: $quizId) {\n      id\n      number\n      text\n      options\n      closesAt\n      timeLimitSeconds\n      points\n    }\n  }\n"): (typeof documents)["\n  subscription WebQuestionStarted($quizId: ID!) {\n    questionStarted(quizId: $quizId) {\n      id\n      number\n      text\n      options\n      closesAt\n      timeLimitSeconds\n      points\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebStartQuestion($quizId: ID!) {\n    startQuestion(quizId: $quizId) {\n      id\n      number\n    }\n  }\n"): (typeof documents)["\n  mutation WebStartQuestion($quizId: ID!) {\n    startQuestion(quizId: $quizId) {\n      id\n      number\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebCloseQuiz($quizId: ID!) {\n    closeQuiz(quizId: $quizId) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation WebCloseQuiz($quizId: ID!) {\n    closeQuiz(quizId: $quizId) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebJoinQuiz($quizId: ID!) {\n    joinQuiz(quizId: $quizId) {\n      score\n      rank\n      playerCount\n    }\n  }\n"): (typeof documents)["\n  mutation WebJoinQuiz($quizId: ID!) {\n    joinQuiz(quizId: $quizId) {\n      score\n      rank\n      playerCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebAnswer($quizId: ID!, $questionId: ID!, $choice: Int!) {\n    answer(quizId: $quizId, questionId: $questionId, choice: $choice) {\n      correct\n      pointsAwarded\n      totalScore\n      rank\n    }\n  }\n"): (typeof documents)["\n  mutation WebAnswer($quizId: ID!, $questionId: ID!, $choice: Int!) {\n    answer(quizId: $quizId, questionId: $questionId, choice: $choice) {\n      correct\n      pointsAwarded\n      totalScore\n      rank\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;