// Live quizzes. The host starts each question and watches the leaderboard move as answers arrive;
// players join, see the open question with the time left and answer once; the projector shows the
// board and the question on screen (never its correct option).
import { memo } from "preact/compat";
import { useState } from "preact/hooks";
import { graphql } from "../gql";
import { useLive, useMutation, useNow, useQuery } from "../hooks";
import { Refusal, Section } from "../ui";
import type { Me } from "../App";

const QuizQuery = graphql(`
  query WebQuiz($quizId: ID!) {
    quiz(id: $quizId) {
      id
      title
      mode
      status
      availableFrom
      questionCount
      course {
        code
      }
      currentQuestion {
        id
        number
      }
      questions {
        id
        number
        text
        options
        correctOption
        closed
      }
    }
  }
`);

const Board = graphql(`
  subscription WebLeaderboard($quizId: ID!, $first: Int!) {
    leaderboardChanged(quizId: $quizId, first: $first) {
      version
      closed
      playerCount
      entries {
        rank
        score
        player {
          name
        }
      }
    }
  }
`);

const QuestionStarted = graphql(`
  subscription WebQuestionStarted($quizId: ID!) {
    questionStarted(quizId: $quizId) {
      id
      number
      text
      options
      closesAt
      timeLimitSeconds
      points
    }
  }
`);

const Start = graphql(`
  mutation WebStartQuestion($quizId: ID!) {
    startQuestion(quizId: $quizId) {
      id
      number
    }
  }
`);
const Close = graphql(`
  mutation WebCloseQuiz($quizId: ID!) {
    closeQuiz(quizId: $quizId) {
      id
      status
    }
  }
`);
const Join = graphql(`
  mutation WebJoinQuiz($quizId: ID!) {
    joinQuiz(quizId: $quizId) {
      score
      rank
      playerCount
    }
  }
`);
const Answer = graphql(`
  mutation WebAnswer($quizId: ID!, $questionId: ID!, $choice: Int!) {
    answer(quizId: $quizId, questionId: $questionId, choice: $choice) {
      correct
      pointsAwarded
      totalScore
      rank
    }
  }
`);

export function QuizScreen({ quizId, me }: { quizId: string; me: Me }) {
  const quiz = useQuery(QuizQuery, { quizId });
  const q = quiz.data?.quiz;
  return (
    <main>
      <h1>{q ? `${q.course.code}: ${q.title}` : "Quiz"}</h1>
      <Refusal message={quiz.error} />
      {q && (me.role === "STUDENT" ? <Player quizId={quizId} /> : <Host quizId={quizId} quiz={q} refetch={quiz.refetch} />)}
    </main>
  );
}

type QuizT = { status: string; questionCount: number; currentQuestion?: { number: number } | null; questions: { id: string; number: number; text: string; options: string[]; correctOption?: number | null; closed: boolean }[] };

function Host({ quizId, quiz, refetch }: { quizId: string; quiz: QuizT; refetch: () => void }) {
  const start = useMutation(Start);
  const close = useMutation(Close);
  const board = useLive(Board, { quizId, first: 20 }).data?.leaderboardChanged;
  const current = quiz.currentQuestion ? quiz.questions.find((x) => x.number === quiz.currentQuestion!.number) : undefined;
  return (
    <>
      <Section title="Host console">
        <p>
          Status: {quiz.status.toLowerCase()}; question {quiz.currentQuestion?.number ?? 0} of {quiz.questionCount}.
        </p>
        {current && (
          <p>
            On screen: “{current.text}” (answer: {current.options[current.correctOption ?? 0]})
          </p>
        )}
        <div class="row">
          <button
            disabled={start.busy || quiz.status === "CLOSED"}
            onClick={async () => {
              if (await start.run({ quizId })) refetch();
            }}
          >
            Start next question
          </button>
          <button
            class="quiet"
            disabled={quiz.status === "CLOSED"}
            onClick={async () => {
              if (await close.run({ quizId })) refetch();
            }}
          >
            Close the quiz
          </button>
        </div>
        <Refusal message={start.error ?? close.error} />
      </Section>
      <Section title="Leaderboard">
        <p aria-live="polite" data-players={board?.playerCount}>
          {board ? `${board.playerCount} players${board.closed ? ", final" : ""}` : "Loading…"}
        </p>
        <LeaderboardTable entries={board?.entries ?? []} />
      </Section>
    </>
  );
}

export const LeaderboardTable = memo(function LeaderboardTable({ entries }: { entries: { rank: number; score: number; player: { name: string } }[] }) {
  return (
    <ol class="leaderboard" aria-label="Leaderboard">
      {entries.map((e) => (
        // Places, in order: names may repeat, so the place is the key.
        <li key={e.rank + ":" + e.player.name} data-rank={e.rank}>
          <span class="rank">{e.rank}</span> <span class="name">{e.player.name}</span> <span class="score">{e.score}</span>
        </li>
      ))}
    </ol>
  );
});

function Player({ quizId }: { quizId: string }) {
  const join = useMutation(Join);
  const answer = useMutation(Answer);
  const [joined, setJoined] = useState<{ score: number; rank: number; playerCount: number }>();
  const [answered, setAnswered] = useState<Record<string, { correct: boolean; pointsAwarded: number; totalScore: number; rank: number }>>({});
  const question = useLive(QuestionStarted, { quizId }, undefined, !joined).data?.questionStarted;
  const now = useNow(250);
  if (!joined) {
    return (
      <Section title="Lobby">
        <button
          onClick={async () => {
            const r = await join.run({ quizId });
            if (r) setJoined(r.joinQuiz);
          }}
        >
          Join the quiz
        </button>
        <Refusal message={join.error} />
      </Section>
    );
  }
  // Never more than the limit: the browser's clock may be a little behind the server's.
  const left = question?.closesAt ? Math.min(question.timeLimitSeconds, Math.max(0, Math.ceil((Date.parse(question.closesAt) - now) / 1000))) : 0;
  const result = question && answered[question.id];
  return (
    <Section title="Playing">
      <p aria-live="polite">
        Score {result?.totalScore ?? joined.score}, rank {result?.rank ?? joined.rank}
      </p>
      {!question ? (
        <p role="status">Waiting for the host to start a question…</p>
      ) : (
        <fieldset class="question" disabled={!!result || left === 0} data-question={question.number}>
          <legend>
            Question {question.number}: {question.text}
          </legend>
          <p class="timer" data-seconds-left={left}>
            {left > 0 ? `${left} s left` : "Time is up"}
          </p>
          <div class="options">
            {question.options.map((o, i) => (
              <button
                key={i}
                onClick={async () => {
                  const r = await answer.run({ quizId, questionId: question.id, choice: i });
                  if (r) setAnswered({ ...answered, [question.id]: r.answer });
                }}
              >
                {o}
              </button>
            ))}
          </div>
        </fieldset>
      )}
      <p role="status" aria-live="polite" data-answer={result ? (result.correct ? "correct" : "wrong") : ""}>
        {result && (result.correct ? `Correct: +${result.pointsAwarded} points.` : "Not this time.")}
      </p>
      <Refusal message={answer.error} />
    </Section>
  );
}

export function ProjectorScreen({ quizId }: { quizId: string }) {
  const quiz = useQuery(QuizQuery, { quizId }).data?.quiz;
  const board = useLive(Board, { quizId, first: 10 }).data?.leaderboardChanged;
  const question = useLive(QuestionStarted, { quizId }).data?.questionStarted;
  return (
    <main class="board">
      <h1>{quiz?.title ?? "Quiz"}</h1>
      {question && (
        <p class="big">
          Question {question.number}: {question.text}
        </p>
      )}
      <p aria-live="polite">{board ? `${board.playerCount} players${board.closed ? " · final results" : ""}` : "Loading…"}</p>
      <LeaderboardTable entries={board?.entries ?? []} />
    </main>
  );
}
