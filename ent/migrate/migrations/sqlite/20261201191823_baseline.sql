-- Create "categories" table
CREATE TABLE `categories` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `slug` text NOT NULL, `parent_id` integer NULL, CONSTRAINT `categories_categories_children` FOREIGN KEY (`parent_id`) REFERENCES `categories` (`id`) ON DELETE SET NULL);
-- Create index "category_slug" to table: "categories"
CREATE UNIQUE INDEX `category_slug` ON `categories` (`slug`);
-- Create index "category_parent_id" to table: "categories"
CREATE INDEX `category_parent_id` ON `categories` (`parent_id`);
-- Create "products" table
CREATE TABLE `products` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `sku` text NOT NULL, `name` text NOT NULL, `slug` text NOT NULL, `description` text NOT NULL DEFAULT (''), `price` integer NOT NULL, `currency` text NOT NULL DEFAULT ('USD'), `stock` integer NOT NULL DEFAULT (0), `image_url` text NULL, `category_id` integer NOT NULL, CONSTRAINT `products_categories_products` FOREIGN KEY (`category_id`) REFERENCES `categories` (`id`) ON DELETE NO ACTION);
-- Set sequence for "products" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("products", 4294967296);
-- Create index "product_sku" to table: "products"
CREATE UNIQUE INDEX `product_sku` ON `products` (`sku`);
-- Create index "product_slug" to table: "products"
CREATE UNIQUE INDEX `product_slug` ON `products` (`slug`);
-- Create index "product_category_id_id" to table: "products"
CREATE INDEX `product_category_id_id` ON `products` (`category_id`, `id`);
-- Create index "product_price" to table: "products"
CREATE INDEX `product_price` ON `products` (`price`);
-- Create index "product_name" to table: "products"
CREATE INDEX `product_name` ON `products` (`name`);
-- Create index "product_created_at" to table: "products"
CREATE INDEX `product_created_at` ON `products` (`created_at`);
-- Create "quizs" table
CREATE TABLE `quizs` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `title` text NOT NULL, `slug` text NOT NULL, `description` text NOT NULL DEFAULT (''), `published` bool NOT NULL DEFAULT (false));
-- Set sequence for "quizs" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("quizs", 21474836480);
-- Create index "quiz_slug" to table: "quizs"
CREATE UNIQUE INDEX `quiz_slug` ON `quizs` (`slug`);
-- Create "quiz_options" table
CREATE TABLE `quiz_options` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `position` integer NOT NULL, `label` text NOT NULL, `question_id` integer NOT NULL, CONSTRAINT `quiz_options_quiz_questions_options` FOREIGN KEY (`question_id`) REFERENCES `quiz_questions` (`id`) ON DELETE CASCADE);
-- Set sequence for "quiz_options" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("quiz_options", 25769803776);
-- Create index "quizoption_question_id_position" to table: "quiz_options"
CREATE INDEX `quizoption_question_id_position` ON `quiz_options` (`question_id`, `position`);
-- Create "quiz_picks" table
CREATE TABLE `quiz_picks` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `question_id` integer NOT NULL, `option_id` integer NOT NULL, `submission_id` integer NOT NULL, CONSTRAINT `quiz_picks_quiz_submissions_picks` FOREIGN KEY (`submission_id`) REFERENCES `quiz_submissions` (`id`) ON DELETE CASCADE);
-- Set sequence for "quiz_picks" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("quiz_picks", 30064771072);
-- Create index "quizpick_submission_id" to table: "quiz_picks"
CREATE INDEX `quizpick_submission_id` ON `quiz_picks` (`submission_id`);
-- Create index "quizpick_option_id" to table: "quiz_picks"
CREATE INDEX `quizpick_option_id` ON `quiz_picks` (`option_id`);
-- Create "quiz_questions" table
CREATE TABLE `quiz_questions` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `position` integer NOT NULL, `prompt` text NOT NULL, `kind` text NOT NULL DEFAULT ('SINGLE'), `required` bool NOT NULL DEFAULT (true), `quiz_id` integer NOT NULL, CONSTRAINT `quiz_questions_quizs_questions` FOREIGN KEY (`quiz_id`) REFERENCES `quizs` (`id`) ON DELETE CASCADE);
-- Set sequence for "quiz_questions" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("quiz_questions", 34359738368);
-- Create index "quizquestion_quiz_id_position" to table: "quiz_questions"
CREATE INDEX `quizquestion_quiz_id_position` ON `quiz_questions` (`quiz_id`, `position`);
-- Create "quiz_recommendations" table
CREATE TABLE `quiz_recommendations` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `product_id` integer NOT NULL, `rank` integer NOT NULL, `score` real NOT NULL, `submission_id` integer NOT NULL, CONSTRAINT `quiz_recommendations_quiz_submissions_recommendations` FOREIGN KEY (`submission_id`) REFERENCES `quiz_submissions` (`id`) ON DELETE CASCADE);
-- Set sequence for "quiz_recommendations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("quiz_recommendations", 38654705664);
-- Create index "quizrecommendation_submission_id_rank" to table: "quiz_recommendations"
CREATE INDEX `quizrecommendation_submission_id_rank` ON `quiz_recommendations` (`submission_id`, `rank`);
-- Create "quiz_submissions" table
CREATE TABLE `quiz_submissions` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `user_id` integer NULL, `created_at` datetime NOT NULL, `answers` json NOT NULL, `quiz_id` integer NOT NULL, CONSTRAINT `quiz_submissions_quizs_submissions` FOREIGN KEY (`quiz_id`) REFERENCES `quizs` (`id`) ON DELETE CASCADE);
-- Set sequence for "quiz_submissions" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("quiz_submissions", 42949672960);
-- Create index "quizsubmission_quiz_id_created_at" to table: "quiz_submissions"
CREATE INDEX `quizsubmission_quiz_id_created_at` ON `quiz_submissions` (`quiz_id`, `created_at`);
-- Create index "quizsubmission_user_id_created_at" to table: "quiz_submissions"
CREATE INDEX `quizsubmission_user_id_created_at` ON `quiz_submissions` (`user_id`, `created_at`);
-- Create "quiz_weights" table
CREATE TABLE `quiz_weights` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `category_id` integer NULL, `product_id` integer NULL, `weight` real NOT NULL, `option_id` integer NOT NULL, CONSTRAINT `quiz_weights_quiz_options_weights` FOREIGN KEY (`option_id`) REFERENCES `quiz_options` (`id`) ON DELETE CASCADE);
-- Set sequence for "quiz_weights" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("quiz_weights", 47244640256);
-- Create index "quizweight_option_id" to table: "quiz_weights"
CREATE INDEX `quizweight_option_id` ON `quiz_weights` (`option_id`);
-- Create "ratings" table
CREATE TABLE `ratings` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `stars` integer NOT NULL, `product_id` integer NOT NULL, `user_id` integer NOT NULL, CONSTRAINT `ratings_products_ratings` FOREIGN KEY (`product_id`) REFERENCES `products` (`id`) ON DELETE CASCADE, CONSTRAINT `ratings_users_ratings` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE, CONSTRAINT `rating_stars_range` CHECK (stars >= 1 AND stars <= 5));
-- Set sequence for "ratings" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("ratings", 8589934592);
-- Create index "rating_product_id_user_id" to table: "ratings"
CREATE UNIQUE INDEX `rating_product_id_user_id` ON `ratings` (`product_id`, `user_id`);
-- Create index "rating_product_id_stars" to table: "ratings"
CREATE INDEX `rating_product_id_stars` ON `ratings` (`product_id`, `stars`);
-- Create index "rating_user_id" to table: "ratings"
CREATE INDEX `rating_user_id` ON `ratings` (`user_id`);
-- Create index "rating_updated_at_product_id_stars" to table: "ratings"
CREATE INDEX `rating_updated_at_product_id_stars` ON `ratings` (`updated_at`, `product_id`, `stars`);
-- Create "reviews" table
CREATE TABLE `reviews` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `title` text NOT NULL, `body` text NOT NULL, `product_id` integer NOT NULL, `author_id` integer NOT NULL, CONSTRAINT `reviews_products_reviews` FOREIGN KEY (`product_id`) REFERENCES `products` (`id`) ON DELETE CASCADE, CONSTRAINT `reviews_users_reviews` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Set sequence for "reviews" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("reviews", 12884901888);
-- Create index "review_product_id_author_id" to table: "reviews"
CREATE UNIQUE INDEX `review_product_id_author_id` ON `reviews` (`product_id`, `author_id`);
-- Create index "review_author_id" to table: "reviews"
CREATE INDEX `review_author_id` ON `reviews` (`author_id`);
-- Create index "review_product_id_created_at_id" to table: "reviews"
CREATE INDEX `review_product_id_created_at_id` ON `reviews` (`product_id`, `created_at`, `id`);
-- Create index "review_created_at" to table: "reviews"
CREATE INDEX `review_created_at` ON `reviews` (`created_at`);
-- Create "users" table
CREATE TABLE `users` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `display_name` text NOT NULL, `password_hash` text NOT NULL, `role` text NOT NULL DEFAULT ('USER'));
-- Set sequence for "users" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("users", 17179869184);
-- Create index "user_email" to table: "users"
CREATE UNIQUE INDEX `user_email` ON `users` (`email`);
