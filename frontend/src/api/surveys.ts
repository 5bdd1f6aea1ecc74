import { api, unwrap } from "./client";
import type { SurveyAnswer } from "./types";

export function getSurvey(token: string) {
  return unwrap(api.GET("/public/api/surveys/{token}", { params: { path: { token } } }));
}

export function answerSurvey(token: string, body: SurveyAnswer) {
  return unwrap(api.POST("/public/api/surveys/{token}", { params: { path: { token } }, body }));
}
